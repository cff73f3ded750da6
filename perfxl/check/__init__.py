"""Checking forms: schema validation and the review rules (绩效目标审核).

:mod:`.validate` reports schema problems at their cells, :mod:`.formview` computes what the
rules look at, :mod:`.targets` parses 年度指标值, :mod:`.rules` holds one check function per review
rule of the catalogue (:mod:`perfxl.problems`), :mod:`.review` runs them, and :mod:`.file` reads
and checks one input file.  :mod:`.scoring` scores the year-end self-evaluation (项目支出绩效自评表).
"""
