from paradetimeline import build_site


def test_minimal_project_builds(make_project, tmp_path):
    root = make_project()
    result = build_site(root, tmp_path / "out")
    assert (tmp_path / "out" / "events" / "parade.html").is_file()
    assert result.events == 1
