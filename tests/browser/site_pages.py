"""One page of every kind the site has, by the path it is served at."""

PAGE_KINDS = {
    "index": "index.html",
    "embed": "embed.html",
    "embed-era": "embed/2015.html",
    "event": "events/2015-05-09-moscow-victory-day-parade.html",
    "source": "sources/001_0f98aee22f1571cc.html",
    "person": "people/xi-jinping.html",
    "place": "places/red-square.html",
    "tag": "tags/parade.html",
    "commemoration": "commemorations/2015.html",
    "anniversary": "anniversaries/victory-day-1945.html",
    "compare": "compare.html",
    "about": "about.html",
    "provenance": "provenance.html",
    "404": "404.html",
    "sources-list": "sources/index.html",
    "people-list": "people/index.html",
    "places-list": "places/index.html",
    "tags-list": "tags/index.html",
}
