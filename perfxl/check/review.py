"""绩效目标审核: rules that judge whether a form's targets are acceptable.

Schema validation (:mod:`perfxl.check.validate`) says whether a form is well formed; review says
whether what it promises adds up and can be assessed: funding sums, dates against the year and the
goal period, a complete indicator table, measurable targets, finished text.  Review runs on every
form, one with schema errors too: the view leaves out the values that failed (see
:mod:`perfxl.check.formview`), so each rule judges what is valid and skips what it cannot evaluate.

The flow: :mod:`perfxl.check.formview` computes what the rules look at once per form, each rule
of the catalogue (:class:`perfxl.problems.Problem`: ID, default severity, Chinese message template,
rationale, parameters) has its check function in :mod:`perfxl.check.rules`, perfxl.toml may turn
a rule off or change it (:class:`perfxl.config.ReviewConfig`), and this module runs them.  Rules
are variant-generic: the framework (一级 → 二级) comes from the variant, amount fields from the
schema, and a rule whose fields or levels a variant lacks does not apply.
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Callable

from ..config import ReviewConfig, RuleSettings
from ..form.layout import get_layout
from ..model import FormRecord
from ..problems import Issue, Problem, show_value
from .formview import FormView
from .rules import CHECKS, Finding


def review_record(record: FormRecord, config: ReviewConfig | None = None) -> list[Issue]:
    """Every review finding of one form, in catalogue order, as issues at their cells."""
    config = config or _default_config()
    view = FormView(record, get_layout(record.variant))
    issues = []
    for check, problem, settings in _plan(config):
        for finding in check(view, settings.params):
            issues.append(_issue(problem, settings, finding, view))
    return issues


_PLANS: weakref.WeakKeyDictionary[ReviewConfig, list[tuple[Callable, Problem, RuleSettings]]] = \
    weakref.WeakKeyDictionary()


_last_plan: tuple[ReviewConfig | None, list[tuple[Callable, Problem, RuleSettings]]] = (None, [])


def _plan(config: ReviewConfig) -> list[tuple[Callable, Problem, RuleSettings]]:
    """The enabled rules with their check functions, worked out once per configuration (and the
    last one kept apart: every form of a run has the same, and a weak-key look-up makes a weakref)."""
    global _last_plan
    last, plan = _last_plan
    if config is last:
        return plan
    plan = _PLANS.get(config)
    if plan is None:
        plan = _PLANS[config] = [(CHECKS[problem], problem, settings) for problem, settings in config.enabled]
    _last_plan = (config, plan)
    return plan


@lru_cache(maxsize=1)
def _default_config() -> ReviewConfig:
    return ReviewConfig()


def _issue(problem: Problem, settings: RuleSettings, finding: Finding, view: FormView) -> Issue:
    title = finding.title or view.title(finding.pointer)
    shown = show_value(finding.value)
    context = {**settings.params, "unit": view.unit, **finding.extra}
    message = problem.template.format(field=title, value=shown, expected=finding.expected, **context)
    return Issue(code=problem.code, severity=settings.severity, message=message, file=view.record.file,
                 sheet=view.record.sheet, cell=view.cell(finding.pointer), field=title, value=shown,
                 expected=str(finding.expected))
