"""GB/T 7714 notes against the standard's own examples, one or more per document type, in both editions.

2015: the standard's examples as gbt7714-bibtex-style transcribes them (fixtures/gb7714/gbt7714-2015-examples.bib,
read by our BibTeX reader), the expected reference as that project renders it, corrected where the standard's
printed example differs (the key names the clause). 2025: the standard's examples as the Chinese Zotero style
community transcribes them (fixtures/gb7714/gbt7714-2025-examples.json, zotero-chinese/styles@34e21ea7,
lib/data/items/gbt7714-data.json, CC BY-SA 3.0, read by our CSL-JSON reader; the key names the appendix:
b.4:1 is B.4, example [1]), the expected reference as citeproc-js renders them with that community's
GB/T 7714—2025 style; where we differ from a CSL style on purpose, the test names the clause that decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from test_styles import notes_of

from footnoted.bibliography import load_bibliography
from footnoted.styles import Citation, CitationItem, note_style

FIXTURES = Path(__file__).parent / "fixtures" / "gb7714"
ENTRIES = {}
for name in ("gbt7714-2015-examples.bib", "gbt7714-2025-examples.json", "types.yaml"):
    ENTRIES.update({key.removeprefix("gbt7714."): entry for key, entry in load_bibliography([FIXTURES / name]).entries.items()})


def notes(style: str, *citations: tuple[tuple[str, str], ...]) -> list[str]:
    """The notes of `citations` (each a tuple of (key, page)), in a Chinese essay, as plain text."""
    formatted = note_style(style, True).notes([
        Citation(tuple(CitationItem(ENTRIES[key], "page" if page else "", page) for key, page in items), number)
        for number, items in enumerate(citations, 1)])
    return ["".join(run.text for source in note for run in source) for note in formatted]


def note(style: str, key: str, page: str = "") -> str:
    return notes(style, ((key, page),))[0]


# --- every document type, in both editions -----------------------------------------------------------

EXAMPLES = {  # code: (edition, key, expected note)
    # 图书 (2025 §8.2, 2015 §4.1): a volume "第1卷", translators with 等 then 译, an edition, a suffix, /OL
    "M": [
        ("2025", "b.1:3", "陈登原. 国史旧闻：第1卷[M]. 北京：中华书局，2000：29."),
        ("2025", "b.1:12", "扬奎斯特，萨金特. 递归宏观经济理论[M]. 杨斌，王忠玉，陈彦斌，等，译. 2版. 北京：中国人民大学出版社，2010：798."),
        ("2025", "b.1:14", ("赵学功. 当代美国外交[M/OL]. 北京：社会科学文献出版社，2001."
                        " http://www.cadal.zju.edu.cn/book/trySinglePage/33023884/1.")),
        ("2025", "b.1:18", ("Peebles P Z Jr. Probability, random variable, and random signal principles[M]. 4th ed."
                        " New York：McGraw-Hill，2001.")),
        ("2015", "4.1.2:7", "王夫之. 宋论[M]. 刻本. 金陵: 湘乡曾国荃, 1865（清同治四年）."),
        ("2015", "4.1.2:10", ("杨保军. 新闻道德论[M/OL]. 北京: 中国人民大学出版社, 2010[2012-11-01]."
                        " http://apabi.lib.pku.edu.cn/usp/pku/pub.mvc?pid=book.detail&metaid=m.20101104-BPO-889-1023&cult=CN.")),
        ("2015", "4.1.2:14", ("PEEBLES P Z, Jr. Probability, random variables, and random signal principles[M]. 4th ed."
                        " New York: McGraw-Hill, 2001.")),
        ("2015", "A.1:9", "罗斯基. 战前中国经济的增长[M]. 唐巧天, 毛立坤, 姜修宪, 译. 杭州: 浙江大学出版社, 2009."),
        ("2015", "A.1:2", "皮锡瑞. 师伏堂日记: 第 4 册[M]. 北京: 北京图书馆出版社, 2009: 155."),
    ],
    # 析出文献 (2025 §8.3, 2015 §4.2): the part's translator before "//", then the book: its responsible,
    # title, volume, edition, imprint (the book's editors bare: 2015 §8.1.2)
    "M//": [
        ("2025", "b.2:1", ("阿扬. 谈谈记忆：与诺贝尔获奖得者埃里克·坎德尔的问答[M]. 姜海伦，译//《环球科学》杂志社."
                           " 认识记忆力：关于学习、思考与遗忘的脑科学. 北京：机械工业出版社，2023：15-18.")),
        ("2025", "b.2:6", "马克思. 政治经济学批判[M]//马克思，恩格斯. 马克思恩格斯全集：第35卷. 2版. 北京：人民出版社，2013：302."),
        ("2025", "b.2:9", ("Weinstein L，Swartz M N."
                        " Pathogenic properties of invading microorganisms[M]//Sodeman W A Jr，Sodeman W A."
                        " Pathologic physiology: mechanisms of disease. 5th ed. Philadelphia：Saunders，1974：457-472.")),
        ("2015", "4.2.2:2", "程根伟. 1998 年长江洪水的成因与减灾对策[M]//许厚泽, 赵其国. 长江流域洪涝灾害与科技对策. 北京: 科学出版社, 1999: 32-36."),
        # a volume given as a number is "第35卷" (the .bst's "第 35 卷" is TeX's spacing around CJK)
        ("2015", "4.2.2:4", "马克思. 政治经济学批判[M]//马克思, 恩格斯. 马克思恩格斯全集: 第35卷. 北京: 人民出版社, 2013: 302."),
        ("2015", "A.7:7", ("BUSECK P R, NORD G L, Jr, VEBLEN D R. Subsolidus phenomena in pyroxenes[M]//Pyroxenes."
                        " Washington, D.C.: Mineralogical Society of America, c1980: 117-211.")),
    ],
    # 会议文献 (2025 §8.6): in its proceedings, or "//" the conference itself; 2015 a proceedings [C] (genre 会议录)
    "C": [
        ("2025", "b.5:1", "李妍，王莹. 医疗机构保洁人员“一前五后”手卫生干预效果研究[C]//中华预防医学会医院感染控制分会第31次全国医院感染学术年会，2022：2."),
        ("2025", "b.5:5", ("汪学军. 中国农业转基因生物研发进展与安全管理[C]//国家环境保护总局生物安全管理办公室. 中国国家生物安全框架实施国际合作项目研讨会论文集."
                        " 北京：中国环境科学出版社，2005：22-25.")),
        ("2015", "A.7:3", ("汪学军. 中国农业转基因生物研发进展与安全管理[C]//国家环境保护总局生物安全管理办公室. 中国国家生物安全框架实施国际合作项目研讨会论文集."
                        " 北京: 中国环境科学出版社, 2002: 22-25.")),
        ("2015", "4.1.2:8", "牛志明, 斯温兰德, 雷光春. 综合湿地管理国际研讨会论文集[C]. 北京: 海洋出版社, 2012."),
    ],
    # 汇编 (2015 Appendix B): no CSL type; genre 汇编
    "G": [
        ("2015", "A.2:1", "中国职工教育研究会. 职工教育研究论文集[G]. 北京: 人民教育出版社, 1985."),
    ],
    # 报纸文章 (2025 §8.5, 2015 §4.4): 报纸名, 出版日期(版次)
    "N": [
        ("2025", "b.4:2", "丁文详. 数字革命与竞争国际化[N]. 中国青年报，2000-11-20（15）."),
        ("2025", "b.4:6", ("陈缮真. 探索微观世界的无穷奥秘（科技大观）[N/OL]. 人民日报，2022-08-16（17）."
                        " http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm.")),
        ("2015", "A.9:1", "丁文详. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."),
        ("2015", "A.9:3", ("傅刚, 赵承, 李佳路. 大风沙过后的思考[N/OL]. 北京青年报, 2000-01-12[2005-09-28]."
                        " http://www.bjyouth.com.cn/Bqb/20000412/GB/4216%5ED0412B1401.htm.")),
    ],
    # 期刊文章 (2025 §8.5, 2015 §4.4): no volume "2013(1)", a translator, online first dated to the day,
    # "Park J-R" (2025), particles, 3 names then et al.
    "J": [
        ("2025", "b.4:1", "杨洪升. 四库馆私家抄校书考略[J]. 文献，2013（1）：56-75."),
        ("2025", "b.4:4", "久保智康. 花枝蝶鸟方镜的镜范：以平安后期的铜镜制作工艺为中心[J]. 顾幼静，译. 东方博物，2009（1）：85-92."),
        ("2025", "b.4:8", ("张群，程志宝，石志飞. 惯性增强动力吸振器-浮置板轨道低频减振性能研究[J/OL]. 铁道学报，2024-05-09."
                        " http://kns.cnki.net/kcms/detail/11.2104.u.20240507.1737.002.html.")),
        ("2025", "b.4:15", ("Park J-R，Tosaka Y. Metadata quality control in digital repositories and collections: criteria, "
                        "semantics, and mechanisms[J/OL]. Cataloging & Classification Quarterly，2010，48（8）：696-715."
                        " https://www.tandfonline.com/doi/full/10.1080/01639374.2010.508711.")),
        ("2025", "b.4:20", ("Veen P H van der，Muller M，Vincken K L，et al."
                        " Longitudinal changes in brain volumes and cerebrovascular lesions on MRI in patients with "
                        "manifest arterial disease: the SMART-MR study[J/OL]."
                        " Journal of the Neurological Sciences，2014，337（1/2）：112-118."
                        " https://pubmed.ncbi.nlm.nih.gov/24314719/. DOI:10.1016/j.jns.2013.11.029.")),
        ("2015", "A.8:1", "杨洪升. 四库馆私家抄校书考略[J]. 文献, 2013(1): 56-75."),
        ("2015", "A.8:4", ("陈建军. 从数字地球到智慧地球[J/OL]. 国土资源导刊, 2010, 7(10): 93[2013-03-20]."
                        " http://d.g.wanfangdata.com.cn/Periodical_hunandz201010038.aspx."
                        " DOI:10.3969/j.issn.1672-5603.2010.10.038.")),
        ("2015", "A.8:5", ("DES MARAIS D J, STRAUSS H, SUMMONS R E, et al."
                        " Carbon isotope evidence for the stepwise oxidation of the Proterozoic environment[J]."
                        " Nature, 1992, 359: 605-609.")),
        ("2015", "10.1.3:1", ("SUNSTEIN C R. Social norms and social roles[J/OL]."
                        " Columbia Law Review, 1996, 96: 903[2012-01-26]."
                        " http://www.heinonline.org/HOL/Page?handle=hein.journals/clr96&id=913&collection=journals&index=journals/clr.")),
    ],
    # 学位论文 (2025 §8.7): with its place
    "D": [
        ("2025", "b.6:1", "王琦. 融合星载GNSS-R和SAR数据的高时空分辨率土壤湿度反演方法研究[D]. 武汉：武汉大学，2022：87."),
        ("2025", "b.6:5", ("Cairns B R. Infrared spectroscopic studies on solid oxygen[D]."
                        " Berkeley：University of California，1965：15.")),
        ("2015", "A.4:2", ("吴云芳. 面向中文信息处理的现代汉语并列结构研究[D/OL]. 北京: 北京大学, 2003[2013-10-14]."
                        " http://thesis.lib.pku.edu.cn/dlib/List.asp?lang=gb&type=Reader&DocGroupID=4&DocID=6328.")),
        ("2015", "A.4:3", ("CAIRNS B R. Infrared spectroscopic studies on solid oxygen[D]. Berkeley: Univ."
                        " of California, 1965.")),
    ],
    # 报告 (2025 §8.8): the number as other title information; online, its date
    "R": [
        ("2025", "b.7:1", ("中国互联网络信息中心. 第29次中国互联网络发展状况统计报告[R/OL]. 2012-01-16."
                        " https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf.")),
        ("2025", "b.7:5", ("U.S. Department of Transportation Federal Highway Administration."
                        " Guidelines for handling excavated acid-producing material：PB 91-194001[R]. Springfield：U.S."
                        " Department of Commerce National Information Service，1990：25.")),
        ("2015", "A.3:2", ("汤万金, 杨跃翔, 刘文, 等. 人体安全重要技术标准研制最终报告: 7178999X-2006BAK04A10/10.2013[R/OL]."
                        " (2013-09-30)[2014-06-24]. http://www.nstrs.org.cn/xiangxiBG.aspx?id=41707.")),
        ("2015", "A.3:4", ("U.S. Department of Transportation Federal Highway Administration."
                        " Guidelines for handling excavated acid-producing material: PB 91-194001[R]. Springfield: U.S."
                        " Department of Commerce National Information Service, 1990.")),
    ],
    # 标准 (2025 §8.9: the number first, the official CSL's em space, no responsible, no imprint; 2015 §4.1)
    "S": [
        ("2025", "b.8:1", "GB/T 3792—2021 信息与文献 资源描述[S]."),
        ("2025", "b.8:3", ("GB 18030—2022 信息技术  中文编码字符集[S/OL]."
                        " http://c.gb688.cn/bzgk/gb/showGb?type=online&hcno=A1931A578FE14957104988029B0833D3.")),
        ("2015", "A.6:3", ("国家环境保护局科技标准司. 土壤环境质量标准: GB 15618—1995[S/OL]. 北京: 中国标准出版社, 1996: 2-3[2013-10-14]."
                        " http://wenku.baidu.com/view/b950a34b767f5acfa1c7cd49.html.")),
    ],
    # 专利 (2025 §8.10, 2015 §4.5): 题名: 专利号[P]. 公告日期: 页码
    "P": [
        ("2025", "b.9:1", "邓一刚. 全智能节电器：CN200610171314.3[P]. 2008-01-16：8-9."),
        ("2015", "4.5.2:3", ("TACHIBANA R, SHIMIZU S, KOBAYASHI S, et al."
                        " Electronic watermarking method and system: US6915001[P/OL]. 2005-07-05[2013-11-11]."
                        " http://www.google.co.in/patents/US6915001.")),
    ],
    # 数据库: no CSL type; genre 数据库
    "DB": [
        ("2015", "database", "国家统计局. 国家数据[DB/OL]. [2026-03-01]. https://data.stats.gov.cn/."),
        ("2025", "database", "国家统计局. 国家数据[DB/OL]. [2026-03-01]. https://data.stats.gov.cn/."),
    ],
    # 计算机程序 (software)
    "CP": [
        ("2025", "software", ("Wickham H. ggplot2[CP/OL]. V3.5.1. （2024-04-23）[2026-03-01]. https://ggplot2.tidyverse.org/.")),
    ],
    # 电子资源 (2025 §8.11, 2015 §4.6): (更新日期)[引用日期]; 2015 has no preprint: [EB/OL], its arXiv number once
    "EB": [
        ("2025", "b.10:2", ("北京鲁迅博物馆. 北京鲁迅博物馆志愿服务章程[EB/OL]. （2021-04-21）[2023-05-02]."
                        " http://www.luxunmuseum.com.cn/html/202104/a11310.htm.")),
        ("2025", "b.10:4", ("高等教育文献保障系统. 馆际互借与文献传递服务[EB/OL]. [2025-06-21]."
                        " http://home.calis.edu.cn/pages/list.html?id=4101e184-7f64-4798-a5e1-8e37aa6994fc.")),
        ("2015", "4.6.2:5", ("HOPKINSON A. UNIMARC and metadata: Dublin Core[EB/OL]. (2009-04-22)[2013-03-27]."
                        " http://archive.ifla.org/IV/ifla64/138-161e.htm.")),
        ("2015", "llama", ("TOUVRON H, LAVRIL T, IZACARD G, et al."
                        " LLaMA: open and efficient foundation language models[EB/OL]. arXiv:2302.13971."
                        " (2023-02-27)[2026-03-01]. https://arxiv.org/abs/2302.13971.")),
    ],
    # 档案 (2025 §8.12): 题名: 档号[A]. 收藏地: 收藏者, 形成日期
    "A": [
        ("2025", "b.11:1", "李鸿章. 奏请上海道库洋务外销要款无款可筹仍拨药厘接济事：04-01-35-0399-039[A]. 北京：中国第一历史档案馆，1887."),
        ("2025", "b.11:2", ("湖北省建设厅. 湖北省建设厅关于检发实业部农工矿业团体登记规则的布告、训令及湖北省政府的训令：LS031-001-0001-001[A/OL]. 武汉：湖北省档案馆，1931-11-07."
                        " https://www.hbda.gov.cn/pdf/LS031-001-0001-001.PDF.PDF.")),
        ("2015", "4.1.2:9", "中国第一历史档案馆, 辽宁省档案馆. 中国明朝档案总汇[A]. 桂林: 广西师范大学出版社, 2001."),
    ],
    # 舆图 (2025 §8.13): title. scale[CM]. imprint. dimensions; no date: the year it was read, "[2025]"
    "CM": [
        ("2025", "b.12:1", "胡健民. 东南极拉斯曼丘陵地区地质图. 1:25000[CM]. 北京：科学出版社，2021. 128cm×84cm."),
        ("2025", "b.12:5", ("国家测绘地理信息局. 一带一路经济走廊及其途经城市分布地势图[CM/OL]. [2025]."
                        " http://ydyl.china.com.cn/2016-10/27/content_39582227.htm.")),
    ],
    # 数据集 (2025 §8.14): 版本. 发布者(发布日期)[引用日期]
    "DS": [
        ("2025", "b.13:2", ("刘时银，郭万钦，许君利. 中国第二次水川编目科学数据：2006-2011[DS/OL]. V1.0."
                        " 中国科学院寒区早区环境与工程研究所冰冻圈科学国家重点实验室（2012）[2024-11-25]."
                        " https://data.tpdc.ac.cn/zh-hans/data/f92a4346-a33f-497d-9470-2b357ccb4246/."
                        " DOI:10.3972/glacier001.2013.db.")),
    ],
    # 预印本 (2025 §8.15), new in 2025
    "PP": [
        ("2025", "b.14:4", ("Jenkins S D，Ruostekoski J."
                        " Controlled manipulation of light by cooperative response of atoms in an optical "
                        "lattice[PP/OL]. V2. arXiv（2012-03-18）[2020-06-24]. https://doi.org/10.48550/arXiv.1112.6136.")),
        ("2025", "llama", ("Touvron H，Lavril T，Izacard G，et al."
                        " LLaMA: open and efficient foundation language models[PP/OL]. arXiv（2023-02-27）[2026-03-01]."
                        " https://arxiv.org/abs/2302.13971.")),
    ],
    # 其他: a type with no code of its own
    "Z": [
        ("2025", "other", "聂耳. 义勇军进行曲[Z]. 上海：百代唱片公司，1935."),
        ("2015", "other", "聂耳. 义勇军进行曲[Z]. 上海: 百代唱片公司, 1935."),
    ],
}


@pytest.mark.parametrize("code", EXAMPLES)
def test_each_document_type_as_the_standards_own_examples(code):
    notes_given = [note(f"gb7714-{edition}", key) for edition, key, _ in EXAMPLES[code]]
    assert notes_given == [expected for *_, expected in EXAMPLES[code]]


@pytest.mark.parametrize(("key", "imprint"), [
    # §8.4.1.3 and §8.4.2.3 as the standard prints them (gbt7714-bibtex-style leaves them out by default)
    ("8.4.1.3:1", "[出版地不详]: 三户图书刊行社, 1990."),
    ("8.4.1.3:2", "[S.l.]: MacMillan, 1975."),
    ("8.4.2.3:1", "哈尔滨: [出版者不详], 2013."),
])
def test_an_unknown_place_or_publisher_is_said_so_in_the_sources_language(key, imprint):
    assert note("gb7714-2015", key).endswith("[M]. " + imprint)


# --- the page of the citation, where the standard places it ---------------------------------------

@pytest.mark.parametrize(("style", "key", "page", "expected_end"), [
    # a chapter keeps its book; the cited page stands where the chapter's pages stood (§8.3)
    ("gb7714-2025", "b.2:9", "460", ("[M]//Sodeman W A Jr，Sodeman W A. Pathologic physiology: mechanisms of disease. "
                                    "5th ed. Philadelphia：Saunders，1974：460.")),
    ("gb7714-2025", "b.1:3", "31", "北京：中华书局，2000：31."),  # 出版年：引文页码
    ("gb7714-2025", "b.4:1", "60", "文献，2013（1）：60."),  # 刊名，年（期）：页码
    ("gb7714-2025", "b.4:2", "2", "中国青年报，2000-11-20（2）."),  # a newspaper's page is its 版次, in parentheses
    ("gb7714-2025", "b.9:1", "8", "2008-01-16：8."),  # 公告日期：页码
    ("gb7714-2025", "b.11:1", "7", "北京：中国第一历史档案馆，1887：7."),  # 收藏者，形成日期：页码
    # 2015 §4.6.1: 出版者, 出版年: 引文页码(更新或修改日期)[引用日期]
    ("gb7714-2015", "b.13:2", "41", ("中国科学院寒区早区环境与工程研究所冰冻圈科学国家重点实验室, 2012: 41[2024-11-25]. "
                                    "https://data.tpdc.ac.cn/zh-hans/data/f92a4346-a33f-497d-9470-2b357ccb4246/. "
                                    "DOI:10.3972/glacier001.2013.db.")),
    ("gb7714-2015", "4.1.2:10", "5", ("2010: 5[2012-11-01]. "
                                     "http://apabi.lib.pku.edu.cn/usp/pku/pub.mvc?pid=book.detail&metaid=m.20101104-BPO-889-1023&cult=CN.")),
])
def test_the_cited_page_stands_where_the_standard_puts_it(style, key, page, expected_end):
    assert note(style, key, page).endswith(expected_end)


# --- later notes, several sources in one note --------------------------------------------------------

def test_a_later_note_is_tong_and_the_first_notes_number():
    """§10.1.3 allows the full reference again or 同 + the note number + the page; we give the latter."""
    assert notes("gb7714-2025", (("b.1:3", "29"),), (("b.4:1", ""),), (("b.1:3", "31"),), (("b.1:3", ""),)) == [
        "陈登原. 国史旧闻：第1卷[M]. 北京：中华书局，2000：29.",
        "杨洪升. 四库馆私家抄校书考略[J]. 文献，2013（1）：56-75.",
        "同1：31.",
        "同1.",
    ]
    assert notes("gb7714-2015", (("A.8:1", ""),), (("A.8:1", "60"),))[1] == "同1: 60."


def test_a_source_first_cited_beside_another_is_given_in_full_again():
    """"同1" could not say which of note 1's sources is meant: the other form §10.1.3 allows."""
    assert notes("gb7714-2025", (("b.1:3", ""), ("b.4:1", "")), (("b.4:1", "60"),))[1] == \
        "杨洪升. 四库馆私家抄校书考略[J]. 文献，2013（1）：60."


def test_several_sources_in_one_note_are_joined_once_without_doubled_marks():
    """Each reference loses its own full stop (after a link too) and one separator stands between them:
    "；" in 2025 (§7: every mark but ". [ ] /" full-width), "; " in 2015."""
    assert notes("gb7714-2025", (("b.1:3", "29"),), (("b.4:1", ""), ("b.4:15", "700"), ("b.1:3", "30")))[1] == (
        "杨洪升. 四库馆私家抄校书考略[J]. 文献，2013（1）：56-75；Park J-R，Tosaka Y. Metadata quality control in digital "
        "repositories and collections: criteria, semantics, and mechanisms[J/OL]. Cataloging & Classification "
        "Quarterly，2010，48（8）：700. https://www.tandfonline.com/doi/full/10.1080/01639374.2010.508711；同1：30.")
    assert notes("gb7714-2015", (("A.8:1", ""),), (("10.1.3:1", ""), ("A.8:4", ""), ("A.8:1", "57")))[1] == (
        "SUNSTEIN C R. Social norms and social roles[J/OL]. Columbia Law Review, 1996, 96: 903[2012-01-26]. "
        "http://www.heinonline.org/HOL/Page?handle=hein.journals/clr96&id=913&collection=journals&index=journals/clr; "
        "陈建军. 从数字地球到智慧地球[J/OL]. 国土资源导刊, 2010, 7(10): 93[2013-03-20]. "
        "http://d.g.wanfangdata.com.cn/Periodical_hunandz201010038.aspx. DOI:10.3969/j.issn.1672-5603.2010.10.038; 同1: 57.")


# --- where we differ from the official CSL styles on purpose ---------------------------------------

def test_where_we_differ_from_the_official_csl_styles_on_purpose():
    # GB/T 7714-2025 §7.1.2 (2015 §8.1.2): more than three: the first three, then 等 or "et al."; the official
    # 2025 note CSL sets no et-al rule for notes and prints every name.
    assert note("gb7714-2025", "b.4:20").startswith("Veen P H van der，Muller M，Vincken K L，et al. Longitudinal")
    # 2015 §8.1.2: "等" or the word of the source's language (the official 2015 note CSL: "等" after English names);
    # §8.1.4: institutions as written (that CSL upper-cases them).
    assert note("gb7714-2015", "A.8:5").startswith("DES MARAIS D J, STRAUSS H, SUMMONS R E, et al. Carbon")
    assert note("gb7714-2015", "A.3:4").startswith("U.S. Department of Transportation Federal Highway Administration. ")
    # 2015 §8.2.3 ("三松堂全集: 第4卷"; that CSL prints "卷 4") and Appendix B (A is 档案: a preprint is an online
    # resource, [EB/OL], where that CSL gives [A/OL]).
    assert note("gb7714-2015", "b.1:3").startswith("陈登原. 国史旧闻: 第1卷[M]. 北京: 中华书局, 2000: 29.")
    assert "[EB/OL]" in note("gb7714-2015", "llama")


# --- the edition a front matter names -------------------------------------------------------------

def test_gb7714_means_the_2025_edition_and_gb7714_2015_keeps_the_old(project):
    project.write("essay/new.md", "---\ntitle: 新\n---\n正文[@lee2019, p. 3]，再[@lee2019, p. 4]。\n")
    project.write("essay/named.md", "---\ntitle: 新\nstyle: gb7714\n---\n正文[@lee2019, p. 3]。\n")
    project.write("essay/old.md", "---\ntitle: 旧\nstyle: gb7714-2015\n---\n正文[@lee2019, p. 3]，再[@lee2019, p. 4]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project, "new") == ["Lee A. The Book[M]. [S.l.]：Press，2019：3.", "同1：4."]
    assert notes_of(project, "named") == ["Lee A. The Book[M]. [S.l.]：Press，2019：3."]
    assert notes_of(project, "old") == ["LEE A. The Book[M]. [S.l.]: Press, 2019: 3.", "同1: 4."]
