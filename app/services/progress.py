"""Progress through the course: the completion rules of content-format.md, computed for many
trainees at once with a fixed number of queries (the manager's dashboard lists whole teams).

A module is complete when every page was opened, the knowledge check reached its pass mark,
and every listed scenario was passed at least once. A stage is complete when all its modules
are; with `unlock: sequential` a stage opens when the previous one is complete."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import PageView, QuizAttempt, ScenarioAttempt
from app.services import publishing


@dataclass
class ModuleProgress:
    id: str
    title: str
    stage: str
    order: int
    pages_total: int
    pages_seen: int = 0
    quiz_best: int | None = None
    quiz_passed: bool = False
    has_quiz: bool = True
    scenarios: dict = field(default_factory=dict)   # slug -> {"best": int|None, "passed": bool}

    @property
    def parts_total(self):
        return self.pages_total + (1 if self.has_quiz else 0) + len(self.scenarios)

    @property
    def parts_done(self):
        return (min(self.pages_seen, self.pages_total) + (1 if self.has_quiz and self.quiz_passed else 0)
                + sum(1 for s in self.scenarios.values() if s["passed"]))

    @property
    def percent(self):
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 100

    @property
    def complete(self):
        return (self.pages_seen >= self.pages_total and (self.quiz_passed or not self.has_quiz)
                and all(s["passed"] for s in self.scenarios.values()))

    @property
    def started(self):
        return self.pages_seen > 0 or self.quiz_best is not None or any(s["best"] is not None for s in self.scenarios.values())


@dataclass
class StageProgress:
    id: str
    title: str
    modules: list
    unlocked: bool = True

    @property
    def complete(self):
        return bool(self.modules) and all(m.complete for m in self.modules)

    @property
    def percent(self):
        total = sum(m.parts_total for m in self.modules)
        return round(100 * sum(m.parts_done for m in self.modules) / total) if total else 0


@dataclass
class CourseProgress:
    id: str
    title: str
    stages: list

    @property
    def complete(self):
        return all(s.complete for s in self.stages)

    @property
    def percent(self):
        total = sum(m.parts_total for s in self.stages for m in s.modules)
        done = sum(m.parts_done for s in self.stages for m in s.modules)
        return round(100 * done / total) if total else 0

    def module(self, module_id):
        for stage in self.stages:
            for module in stage.modules:
                if module.id == module_id:
                    return module
        return None

    def stage_of(self, module_id):
        for stage in self.stages:
            if any(m.id == module_id for m in stage.modules):
                return stage
        return None

    def next_module(self):
        """The first unfinished module in an open stage: the trainee's next step."""
        for stage in self.stages:
            if not stage.unlocked:
                return None
            for module in stage.modules:
                if not module.complete:
                    return module
        return None


def course_outline(course_id):
    """The published course and its published modules by stage, in order (cached per version)."""
    course = publishing.published_course(course_id)
    if course is None:
        return None, {}
    modules = defaultdict(list)
    for version in publishing.published_all("module").values():
        module = publishing.value_of(version)
        if module is not None and module.course == course_id:
            modules[module.stage].append(module)
    for stage_modules in modules.values():
        stage_modules.sort(key=lambda m: (m.order, m.id))
    return course, modules


def progress_for(user_ids, course_id=None):
    """{user_id: CourseProgress} for many trainees, in four queries whatever their number; the
    published course unless another is named."""
    course_id = course_id or publishing.course_id()
    course, modules_by_stage = course_outline(course_id)
    if course is None:
        return {}
    user_ids = list(user_ids)
    module_ids = [m.id for ms in modules_by_stage.values() for m in ms]
    scenario_ids = sorted({s for ms in modules_by_stage.values() for m in ms for s in m.scenarios})
    seen = defaultdict(int)
    quiz = {}
    scen = {}
    if user_ids and module_ids:
        rows = db.session.execute(
            select(PageView.user_id, PageView.module_slug, func.count(func.distinct(PageView.page)))
            .where(PageView.user_id.in_(user_ids), PageView.module_slug.in_(module_ids))
            .group_by(PageView.user_id, PageView.module_slug))
        for user_id, slug, count in rows:
            seen[(user_id, slug)] = count
        rows = db.session.execute(
            select(QuizAttempt.user_id, QuizAttempt.module_slug, func.max(QuizAttempt.percent),
                   func.max(db.case((QuizAttempt.passed, 1), else_=0)))
            .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.module_slug.in_(module_ids))
            .group_by(QuizAttempt.user_id, QuizAttempt.module_slug))
        for user_id, slug, best, passed in rows:
            quiz[(user_id, slug)] = (best, bool(passed))
    if user_ids and scenario_ids:
        rows = db.session.execute(
            select(ScenarioAttempt.user_id, ScenarioAttempt.scenario_slug, func.max(ScenarioAttempt.percent),
                   func.max(db.case((ScenarioAttempt.passed, 1), else_=0)))
            .where(ScenarioAttempt.user_id.in_(user_ids), ScenarioAttempt.scenario_slug.in_(scenario_ids),
                   ScenarioAttempt.status == "finished")
            .group_by(ScenarioAttempt.user_id, ScenarioAttempt.scenario_slug))
        for user_id, slug, best, passed in rows:
            scen[(user_id, slug)] = (best, bool(passed))

    result = {}
    for user_id in user_ids:
        stages = []
        previous_complete = True
        for stage in course.stages:
            modules = []
            for module in modules_by_stage.get(stage.id, []):
                best, passed = quiz.get((user_id, module.id), (None, False))
                modules.append(ModuleProgress(
                    id=module.id, title=module.title, stage=stage.id, order=module.order,
                    pages_total=len(module.pages), pages_seen=seen[(user_id, module.id)],
                    quiz_best=best, quiz_passed=passed, has_quiz=bool(module.quiz),
                    scenarios={s: {"best": scen.get((user_id, s), (None, False))[0],
                                   "passed": scen.get((user_id, s), (None, False))[1]} for s in module.scenarios}))
            progress = StageProgress(stage.id, stage.title, modules,
                                     unlocked=course.unlock != "sequential" or previous_complete)
            previous_complete = previous_complete and progress.complete
            stages.append(progress)
        result[user_id] = CourseProgress(course.id, course.title, stages)
    return result


def progress_of(user_id, course_id=None):
    return progress_for([user_id], course_id).get(user_id)
