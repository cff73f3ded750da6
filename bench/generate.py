"""Realistic filled 绩效目标表 workbooks for the collect benchmark, written by perfxl's own writer.

``ensure_cache(n_forms)`` plans ``n_forms`` forms spread over workbooks (most workbooks hold one
form, about 30 % hold 2–5, as units return them), writes them once into
``bench/cache/<n_forms>/files/`` and reuses them afterwards.  Everything is derived from a seed,
so the same N always gives the same bytes (perfxl's writer is byte-stable).

Variety, taken from ``examples/forms`` and widened:

* units: about one per 50 forms (200 units for 10,000 forms), each with its 主管部门;
* project names: the examples' names plus composed ones, unique per unit and year;
* amounts: canonical decimals with 0–6 decimals, from 0.1 to 50,000 万元, with consistent parts
  (total = fiscal + other, annual = fiscal + carry-over + other) in most forms;
* text: goals from about 10 to about 600 characters, composed from the examples' clauses;
* indicators: 3–30 per form across the whole framework (``layout.framework``), in print order;
* about 5 % of the forms carry one realistic problem (a missing goal, parts that do not add up,
  an indicator without a target, dates the wrong way round), so the issue paths are exercised.

Run alone to (re)generate: ``.venv/bin/python bench/generate.py --forms 1000``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / "cache"
VARIANT = "pujiang-2023"
SEED = 20230101
GENERATOR_VERSION = 2  # bump when the generated content changes: old caches are then rebuilt

# --- word pools ----------------------------------------------------------------------------
_OFFICES = [
    "平安建设办公室", "社区党群服务中心", "信访办", "城市运行管理中心", "社区事务受理服务中心",
    "文化体育服务中心", "农业农村办公室", "规划建设和环境保护办公室", "经济发展办公室", "财政所",
    "社会事业发展办公室", "卫生健康办公室", "综合行政执法队", "市容环境卫生管理所", "退役军人服务站",
    "党政办公室", "营商环境办公室", "社区管理办公室", "城市建设管理事务中心", "社区服务中心",
    "网格化综合管理中心", "安全生产监督管理所", "残疾人联合会", "妇女联合会", "团委", "总工会",
    "老龄工作办公室", "动物防疫站", "农业服务中心", "水务管理站",
]
_PLACES = ["正义", "勤俭", "永丰", "汇中", "联胜", "革新", "建岗", "友建", "杜行", "鲁汇", "召楼",
           "新风", "光继", "丰收", "跃农", "近浦", "浦锦", "恒南", "江月", "谈中", "周浦", "瑞和",
           "懿德", "新市", "立跃", "东风", "陈行", "先锋", "大治河", "汇南", "永康", "中心", "闸港"]
_DEPARTMENTS = ["闵行区浦江镇人民政府", "上海市闵行区浦江镇人民政府", "浦江镇人民政府"]
_OBJECTS = [
    "安保", "保洁", "绿化养护", "道路修缮", "河道整治", "垃圾分类", "社区活动", "业务培训", "宣传",
    "设备采购", "视频监控系统", "实有人口信息采集", "党建活动", "志愿服务", "老年助餐", "为老服务",
    "文体活动", "消防设施", "防汛物资", "农田水利", "公共厕所", "小区综合治理", "群租整治",
    "违法建筑拆除", "食品安全检查", "健康体检", "残疾人帮扶", "困难群众救助", "就业援助",
    "退役军人走访慰问", "妇女儿童关爱", "青少年暑期托管", "电动自行车充电设施", "雨污混接改造",
    "公共服务设施维护", "档案数字化", "网格巡查", "安全生产检查", "燃气安全隐患排查", "农村人居环境整治",
]
_PROJECT_SUFFIX = ["经费", "项目", "工程", "补贴", "服务费", "运维费", "专项经费", "购置费", "奖励费"]
_PROJECT_QUALIFIER = ["", "", "", "（一期）", "（二期）", "（续建）", "（南区）", "（北区）", "维护",
                      "提升", "改造"]
_GROUPS = ["居民群众", "服务对象", "村民", "相关单位", "参训人员", "企业", "老年人", "志愿者",
           "辖区单位", "派出所民警", "社区工作者", "学生家长"]
_MEASURE_UNITS = ["个", "人", "台", "次", "场", "户", "平方米", "公里", "处", "套", "人次", "批"]
_YEARS = [2023, 2023, 2023, 2023, 2024]
_CATEGORIES = ["经常性项目", "经常性项目", "经常性项目", "一次性项目", "专项资金"]


@dataclass
class Pools:
    project_names: list[str]
    clauses: list[str]
    indicators: dict[str, list[tuple[str | None, str | None]]]


def _pools() -> Pools:
    names: list[str] = []
    clauses: list[str] = []
    indicators: dict[str, list[tuple[str | None, str | None]]] = {}
    for path in sorted(glob.glob(str(ROOT / "examples" / "forms" / "*.json"))):
        forms = json.loads(Path(path).read_text(encoding="utf-8"))
        for form in forms if isinstance(forms, list) else [forms]:
            names.append(form["project_name"])
            for text in (form["goals"].get("overall", ""), form["goals"].get("annual", "")):
                for part in text.replace("。", "，").replace("；", "，").split("，"):
                    part = part.strip()
                    if 4 <= len(part) <= 60 and part not in clauses:
                        clauses.append(part)
            for ind in form["indicators"]:
                pair = (ind.get("name"), ind.get("target"))
                bucket = indicators.setdefault(ind["level2"], [])
                if pair not in bucket:
                    bucket.append(pair)
    return Pools(names, clauses, indicators)


# --- planning ------------------------------------------------------------------------------
def units_for(n_forms: int, rng: random.Random) -> list[tuple[str, str]]:
    """(实施单位, 主管部门) pairs: about one unit per 50 forms, at least 3."""
    count = max(3, round(n_forms / 50))
    units: list[tuple[str, str]] = []
    seen: set[str] = set()
    i = 0
    while len(units) < count:
        i += 1
        kind = rng.random()
        if kind < 0.45:
            name = rng.choice(["闵行区浦江镇", "浦江镇"]) + rng.choice(_OFFICES)
        elif kind < 0.75:
            name = f"浦江镇{rng.choice(_PLACES)}村村民委员会"
        else:
            name = f"浦江镇{rng.choice(_PLACES)}{rng.choice(['', '一', '二', '三', '新'])}居民委员会"
        if name in seen:
            name = f"{name}（{i}）" if rng.random() < 0.5 else name.replace("浦江镇", f"浦江镇第{i}", 1)
        if name in seen:
            continue
        seen.add(name)
        units.append((name, rng.choice(_DEPARTMENTS)))
    return units


def _amount(rng: random.Random, decimals: int, low: float = 0.1, high: float = 50_000.0) -> Decimal:
    value = 10 ** rng.uniform(_log10(low), _log10(high))
    scaled = max(1, int(value * 10 ** decimals))
    return Decimal(scaled).scaleb(-decimals)


def _log10(x: float) -> float:
    import math
    return math.log10(x)


def _part(rng: random.Random, whole: Decimal, decimals: int) -> Decimal:
    """A random part of ``whole`` with the same number of decimals (0 ≤ part ≤ whole)."""
    step = Decimal(1).scaleb(-decimals)
    units = int(whole / step)
    return Decimal(rng.randint(0, units)) * step


def _canon(value: Decimal) -> str:
    from perfxl.form.values import canonical_decimal
    return canonical_decimal(value)


def _funding(rng: random.Random) -> dict[str, str]:
    decimals = rng.randint(0, 6)
    total = _amount(rng, decimals)
    funding: dict[str, Decimal] = {"total": total}
    if rng.random() < 0.2:
        other = _part(rng, total, decimals)
        funding["total_fiscal"] = total - other
        funding["total_other"] = other
    else:
        funding["total_fiscal"] = total
    annual = total if rng.random() < 0.7 else _part(rng, total, decimals)
    if rng.random() < 0.9:
        funding["annual_total"] = annual
    rest = annual
    if rng.random() < 0.15:
        carry = _part(rng, rest, decimals)
        funding["annual_carryover"] = carry
        rest -= carry
    if rng.random() < 0.1:
        other = _part(rng, rest, decimals)
        funding["annual_other"] = other
        rest -= other
    funding["annual_fiscal"] = rest
    order = ["total", "total_fiscal", "total_other", "annual_total", "annual_fiscal",
             "annual_carryover", "annual_other"]
    return {k: _canon(funding[k]) for k in order if k in funding}


def _text(rng: random.Random, pools: Pools, length: int) -> str:
    parts: list[str] = []
    size = 0
    while size < length:
        clause = rng.choice(pools.clauses)
        parts.append(clause)
        size += len(clause) + 1
    return "，".join(parts) + "。"  # whole clauses: the text reads like a real goal


def _text_length(rng: random.Random) -> int:
    """Goal lengths from about 10 to about 600 characters, most of them short, as in real forms."""
    return int(10 ** rng.uniform(1.0, 2.78))


def _indicator(rng: random.Random, pools: Pools, level2: str, year: int, used: set[str]) -> dict[str, str]:
    known = [p for p in pools.indicators.get(level2, []) if p[0] and p[0] not in used]
    if known and rng.random() < 0.4:
        name, target = rng.choice(known)
    else:
        obj = rng.choice(_OBJECTS)
        name, target = {
            "数量指标": lambda: (f"{obj}数量", f"{rng.randint(1, 2000)}{rng.choice(_MEASURE_UNITS)}"),
            "质量指标": lambda: (f"{obj}{rng.choice(['合格率', '达标率', '完成率', '验收通过率'])}",
                              rng.choice(["100%", "≥95%", "≥98%", "合格"])),
            "时效指标": lambda: (f"{obj}{rng.choice(['完成及时性', '按时完成率', '支付及时性'])}",
                              rng.choice(["及时", "100%", f"{year}年12月31日前", "每月"])),
            "成本指标": lambda: (f"{obj}成本控制", f"≤{rng.randint(1, 900)}万元"),
            "经济效益指标": lambda: (f"{obj}带动效益", rng.choice(["有所提升", f"≥{rng.randint(1, 500)}万元"])),
            "社会效益指标": lambda: (f"{obj}{rng.choice(['社会影响', '群众获得感', '工作覆盖面'])}",
                                rng.choice(["提升", "明显改善", "全面开展", "有效保障"])),
            "生态效益指标": lambda: (f"{obj}环境改善", rng.choice(["改善", "达标", "明显改善"])),
            "可持续影响指标": lambda: (f"{obj}长效管理机制", rng.choice(["建立健全", "持续发挥作用", "长期"])),
            "服务对象满意度指标": lambda: (f"{rng.choice(_GROUPS)}满意度", rng.choice(["≥90%", "≥92%", "95%", "≥95%"])),
        }.get(level2, lambda: (f"{obj}情况", "完成"))()
        if rng.random() < 0.05:  # now and then a long, explained indicator
            name = f"{name}（按{obj}实施方案和年度工作计划确定的范围、标准与进度计算，{rng.choice(_PLACES)}片区单列）"
    if name in used:
        name = f"{name}（{len(used) + 1}）"
    if name:
        used.add(name)
    item = {"name": name, "target": target}
    return {k: v for k, v in item.items() if v}


def _indicators(rng: random.Random, pools: Pools, framework: dict[str, list[str]], year: int) -> list[dict[str, str]]:
    count = int(rng.triangular(3, 30, 6) + 0.5)
    # A realistic table has 数量, 质量 or 时效, some benefit and a satisfaction indicator (with
    # only 3 rows the benefit goes); the rest spreads over the framework, mostly the usual 二级.
    pairs = [("产出指标", "数量指标"), ("产出指标", rng.choice(["质量指标", "时效指标"])),
             ("效益指标", rng.choice(framework["效益指标"])), ("满意度指标", "服务对象满意度指标")]
    if count == 3:
        del pairs[2]
    every = [(l1, l2) for l1, l2s in framework.items() for l2 in l2s]
    weights = [6 if l2 in ("数量指标", "质量指标", "时效指标", "社会效益指标") else 1 for _, l2 in every]
    pairs += rng.choices(every, weights=weights, k=count - len(pairs))
    order = {pair: i for i, pair in enumerate(every)}
    pairs.sort(key=order.__getitem__)
    used: set[str] = set()
    result = []
    for level1, level2 in pairs:
        result.append({"level1": level1, "level2": level2, **_indicator(rng, pools, level2, year, used)})
    return result


def _project_name(rng: random.Random, pools: Pools, taken: set[str]) -> str:
    for attempt in range(100):
        if rng.random() < 0.25:
            name = rng.choice(pools.project_names)
        else:
            name = f"{rng.choice(_OBJECTS)}{rng.choice(_PROJECT_QUALIFIER)}{rng.choice(_PROJECT_SUFFIX)}"
        if attempt > 10:
            name = f"{name}{attempt}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free project name")


def _problem(rng: random.Random, form: dict[str, Any]) -> None:
    """One realistic mistake of the kind units make."""
    kind = rng.randrange(5)
    if kind == 0:
        form["goals"].pop("annual", None)
    elif kind == 1:  # parts that do not add up
        total = Decimal(form["funding"]["total"])
        form["funding"]["total_fiscal"] = _canon(total + Decimal("1.5"))
    elif kind == 2:
        form["indicators"][-1].pop("target", None)
        form["indicators"][-1].setdefault("name", "其他指标")
    elif kind == 3:
        form["planned_start"], form["planned_end"] = form["planned_end"], form["planned_start"]
    else:
        form["goals"]["overall_period"] = "待定"


def make_form(rng: random.Random, pools: Pools, framework: dict[str, list[str]], unit: str,
              department: str, year: int, project: str) -> dict[str, Any]:
    category = rng.choice(_CATEGORIES)
    start_month = 1 if rng.random() < 0.8 else rng.randint(2, 9)
    end_month = 12 if rng.random() < 0.8 else rng.randint(start_month + 1, 12)
    end_day = {2: 28, 4: 30, 6: 30, 9: 30, 11: 30}.get(end_month, 31)
    first_year = year - rng.choice([0, 0, 0, 1, 2]) if category == "一次性项目" else year
    if rng.random() < 0.1:
        period = f"{year}年{start_month}月1日-{year}年{end_month}月{end_day}日"
    else:
        period = f"{first_year}年-{year}年"
    overall = _text(rng, pools, _text_length(rng))
    annual = overall if rng.random() < 0.3 else _text(rng, pools, min(_text_length(rng), len(overall) + 50))
    form: dict[str, Any] = {
        "year": year,
        "project_name": project,
        "project_category": category,
        "department": department,
        "implementing_unit": unit,
        "planned_start": f"{year}-{start_month:02d}-01",
        "planned_end": f"{year}-{end_month:02d}-{end_day:02d}",
        "funding": _funding(rng),
        "goals": {"overall_period": period, "overall": overall, "annual": annual},
        "indicators": _indicators(rng, pools, framework, year),
    }
    if rng.random() < 0.05:
        _problem(rng, form)
    return form


@dataclass
class WorkbookPlan:
    file_name: str
    forms: list[dict[str, Any]]


def plan(n_forms: int, seed: int = SEED) -> list[WorkbookPlan]:
    """Every workbook and its forms, decided in one process so names stay unique."""
    from perfxl.api import safe_file_name
    from perfxl.form.layout import get_layout

    framework = get_layout(VARIANT).framework
    rng = random.Random(seed)
    pools = _pools()
    units = units_for(n_forms, rng)
    taken: dict[tuple[str, int], set[str]] = {}
    books: list[WorkbookPlan] = []
    remaining = n_forms
    while remaining > 0:
        unit, department = rng.choice(units)
        count = 1 if rng.random() < 0.7 else rng.randint(2, 5)
        count = min(count, remaining)
        year = rng.choice(_YEARS)
        names = taken.setdefault((unit, year), set())
        forms = [make_form(rng, pools, framework, unit, department, year, _project_name(rng, pools, names))
                 for _ in range(count)]
        label = forms[0]["project_name"] if count == 1 else f"{count}个项目"
        books.append(WorkbookPlan(f"{len(books) + 1:05d}_{safe_file_name(unit)}_{safe_file_name(label)}.xlsx",
                                  forms))
        remaining -= count
    return books


# --- writing -------------------------------------------------------------------------------
def _write(job: tuple[str, list[dict[str, Any]]]) -> int:
    from perfxl.form.identity import form_id_for
    from perfxl.form.layout import get_layout
    from perfxl.write.naming import safe_sheet_names
    from perfxl.write.workbook import FormSheet, write_workbook

    path, forms = job
    layout = get_layout(VARIANT)
    names = safe_sheet_names(str(f["project_name"]) for f in forms)
    write_workbook(path, [FormSheet(n, layout, f, form_id_for(layout, f)) for n, f in zip(names, forms)])
    return len(forms)


def cache_dir(n_forms: int, seed: int = SEED) -> Path:
    return CACHE / (str(n_forms) if seed == SEED else f"{n_forms}-s{seed}")


def ensure_cache(n_forms: int, *, seed: int = SEED, workers: int | None = None,
                 log=lambda text: print(text, file=sys.stderr, flush=True)) -> tuple[Path, dict[str, Any]]:
    """The folder of generated workbooks for ``n_forms`` forms (``<cache>/files``) and its
    manifest; generated on first use, reused afterwards."""
    folder = cache_dir(n_forms, seed)
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("generator_version") == GENERATOR_VERSION and manifest.get("seed") == seed:
            return folder / "files", manifest
        log(f"cache {folder} is from another generator version: rebuilding")
    workers = workers or max(1, len(os.sched_getaffinity(0)))
    started = time.perf_counter()
    books = plan(n_forms, seed)
    planned = time.perf_counter() - started
    tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "files").mkdir(parents=True)
    jobs = [(str(tmp / "files" / book.file_name), book.forms) for book in books]
    log(f"generating {n_forms} forms in {len(books)} workbooks with {workers} processes …")
    done = 0
    if workers <= 1:
        for job in jobs:
            done += _write(job)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for count in pool.map(_write, jobs, chunksize=16):
                done += count
    seconds = time.perf_counter() - started
    files = sorted((tmp / "files").iterdir())
    manifest = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "variant": VARIANT, "forms": done,
        "files": len(files), "bytes": sum(p.stat().st_size for p in files),
        "multi_form_files": sum(1 for b in books if len(b.forms) > 1),
        "units": len({b.forms[0]["implementing_unit"] for b in books}),
        "indicators": sum(len(f["indicators"]) for b in books for f in b.forms),
        "generation_seconds": round(seconds, 2), "planning_seconds": round(planned, 2),
        "generation_workers": workers,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    log(f"generated {done} forms in {len(files)} files in {seconds:.1f} s → {folder}")
    return folder / "files", manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, nargs="+", action="extend", help="forms to generate (N)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    for n in args.forms or [1000]:
        folder, manifest = ensure_cache(n, seed=args.seed, workers=args.workers)
        print(json.dumps({"folder": str(folder), **manifest}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
