"""The commands that write content for the user, each a file that `check` accepts as
written: `init` (a new project), `new source` (an article and its metadata), `new event`
(a draft, maybe from a sentence of an article) and `suggest` (what is still to draft)."""
