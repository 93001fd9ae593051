"""The trainer studio's use cases, one module per job:

- checking: kinds, paths in git, checking a text against what is published (one parse-then-lint)
- catalogue: the first page's list of every text with its state
- drafts: saving drafts that two trainers cannot overwrite, and publishing them
- templates: starting a new text from the content core's Markdown templates
- uploads: publishing an uploaded file; download names
- versions: listing, comparing and republishing versions; the text to look at; the guides
- playtesting: play-tests that record nothing; test reports; random visits for the graph
- analysis: item analysis of a published version

The names below are the studio's interface for its views and tests."""

from app.content.templates import template_text
from app.services.authoring.analysis import ChoiceStat, NodeStat, item_analysis
from app.services.authoring.catalogue import Row, catalogue
from app.services.authoring.checking import (
    KINDS,
    AuthoringError,
    Context,
    check,
    draft_of,
    id_in_front_matter,
    lint_text,
    normalise_newlines,
    path_for,
    valid_kind_and_slug,
)
from app.services.authoring.drafts import (
    DraftConflict,
    Editing,
    diff_lines,
    open_for_editing,
    publish,
    save_draft,
)
from app.services.authoring.playtesting import (
    MAX_GAMES,
    MAX_HISTORY,
    pack,
    playtest_advance,
    playtest_start,
    random_visits,
    run_tests,
    step_summary,
    unpack,
)
from app.services.authoring.templates import new_from_template
from app.services.authoring.uploads import UploadRefused, download_name, upload
from app.services.authoring.versions import (
    GUIDES,
    Source,
    guide_text,
    republish,
    scenario_of,
    source_of,
    version,
    versions_with_authors,
)

__all__ = [name for name in dir() if not name.startswith("_")]
