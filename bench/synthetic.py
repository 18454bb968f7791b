"""Synthetic manuscripts for the long-document tests and the benchmark.

`scaled_essay(k)`: the real essay's body k times over, one chapter each, so citations and
notes keep the real density. `dense_book(notes)`: a book with many short notes, long quoted
passages among them, the case where WeasyPrint misplaces footnotes.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WORDS = (
    "数据 模型 训练 人类 反馈 实践 校准 合成 质量 筛选 网络 内容 研究 论文 结论 方法 实验 结果 "
    "能力 问题 世界 标准 领域 规模 趋势 作者 读者 文本 引用 证据"
).split()
_LATIN = ["AI", "LLM", "GPT-4", "Nature", "token", "benchmark", "agent", "CUDA", "2024", "10%"]


def scaled_essay(copies: int) -> str:
    """The real essay with its body repeated: chapter headings keep anchors and heads distinct."""
    text = (ROOT / "essay" / "model-collapse.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.M)  # its own headings move one level down
    chapters = [f"## 第 {i} 章\n\n{body}" for i in range(1, copies + 1)]
    return f"---\n{front}---\n" + "\n".join(chapters)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
    words.insert(rng.randint(0, len(words)), rng.choice(_LATIN))
    return "".join(words) + rng.choice("，。；")


def dense_book(notes: int, seed: int = 7) -> tuple[str, str]:
    """(essay, bibliography) with about `notes` notes: short citations, quote citations with
    passages of up to ~600 characters, and author footnotes."""
    rng = random.Random(seed)
    entries = []
    for index in range(40):
        passage = " ".join(f"Sentence {j} of source {index} says something worth quoting." for j in range(rng.randint(1, 10)))
        entries.append(
            f"- id: src{index}\n  type: article-journal\n  author:\n  - {{family: Author{index}, given: Ann}}\n"
            f"  - {{family: Second, given: Bo}}\n  - {{family: Third, given: Cy}}\n  - {{family: Fourth, given: Di}}\n"
            f"  title: On topic {index}\n  container-title: Journal\n  volume: \"{index + 1}\"\n  page: 1-20\n"
            f"  issued: {{date-parts: [[2020]]}}\n  language: en\n  quotes:\n    q:\n      text: \"{passage}\"\n      page: 3\n"
        )
    lines = ["---", "title: 长篇测试", "lang: zh-CN", "date: \"2026-01-01\"", "---", ""]
    footnotes = []
    made = 0
    chapter = 0
    while made < notes:
        if made % 40 == 0:
            chapter += 1
            lines += [f"## 第 {chapter} 章", ""]
        sentences = []
        for _ in range(rng.randint(2, 5)):
            sentences.append(_sentence(rng))
            if made < notes and rng.random() < 0.7:
                roll = rng.random()
                key = f"src{rng.randrange(40)}"
                if roll < 0.25:
                    sentences.append(f"[@{key}:q]")
                elif roll < 0.35:
                    sentences.append(f"[^n{made}]")
                    footnotes.append(f"[^n{made}]: 作者的注释{made}，{_sentence(rng)}")
                else:
                    sentences.append(f"[@{key}, p. {rng.randint(1, 20)}]")
                made += 1
        lines += ["".join(sentences), ""]
    lines += footnotes
    return "\n".join(lines) + "\n", "references:\n" + "".join(entries)
