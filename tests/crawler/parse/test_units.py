"""The inspected unit: party affixes, division look-up, ambiguity, organisations."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parse.schema import Unit
from crawler.parse.units import resolve_unit, strip_party_affixes

HECHENG = Unit(name="鹤城区", province="湖南省", city="怀化市", level="county", adcode="431202")
NOTHING = Unit()


def fields(u: Unit) -> tuple:
    return (u.name, u.province, u.city, u.level, u.adcode, u.parent)


# --------------------------------------------------------------------------- affixes


@pytest.mark.parametrize(("raw", "stripped"), [
    ("中共怀化市鹤城区委", "怀化市鹤城区"),
    ("中共株洲市荷塘区委员会", "株洲市荷塘区"),
    ("鹤城区委", "鹤城区"),
    ("宜城市委", "宜城市"),
    ("中共湖南省委", "湖南省"),
    ("中共某某县委", "某某县"),
    ("中共恩施州委", "恩施州"),
    ("中共广西壮族自治区委员会", "广西壮族自治区"),
    ("中国共产党长沙县委员会", "长沙县"),
    ("中共某某市财政局党组", "某某市财政局"),
    ("中共某某市财政局党组(党委)", "某某市财政局"),
    ("某某高新区党工委", "某某高新区"),
    ("中共湖南大学委员会", "湖南大学"),
    # departments keep their 委 / 委员会
    ("区文旅体局", "区文旅体局"),
    ("市卫健委", "市卫健委"),
    ("市发改委", "市发改委"),
    ("某某市卫生健康委员会", "某某市卫生健康委员会"),
    ("县纪委", "县纪委"),
    ("区委办", "区委办"),
    ("某某区政协委员会", "某某区政协委员会"),
    # width and white space
    (" 中共 怀化市鹤城区委\u3000", "怀化市鹤城区"),
    ("", ""),
])
def test_strip_party_affixes(raw, stripped):
    assert strip_party_affixes(raw) == stripped


# --------------------------------------------------------------------------- divisions


@pytest.mark.parametrize("mentions", [
    ["中共怀化市鹤城区委", "鹤城区委"],
    ["鹤城区委"],
    ["怀化市鹤城区"],
    ["中共怀化市鹤城区委员会"],
    ["湖南省怀化市鹤城区"],
    ["怀化鹤城区"],  # a prefecture's stem in front of a county
    ["鹤城区 委"],
])
def test_hecheng_in_every_form(mentions):
    assert resolve_unit(mentions) == HECHENG


def test_counties_and_county_level_cities():
    assert fields(resolve_unit(["蒸湘区"])) == ("蒸湘区", "湖南省", "衡阳市", "county", "430408", None)
    hetang = ("荷塘区", "湖南省", "株洲市", "county", "430202", None)
    assert fields(resolve_unit(["荷塘区"])) == hetang
    assert fields(resolve_unit(["中共株洲市荷塘区委员会"])) == hetang
    assert fields(resolve_unit(["宜城市委", "宜城市"])) == ("宜城市", "湖北省", "襄阳市", "county", "420684", None)
    # a county-level city directly under the province has no prefecture
    assert fields(resolve_unit(["仙桃市"])) == ("仙桃市", "湖北省", None, "county", "429004", None)


def test_jiangxia_in_three_forms_is_one_unit():
    expected = ("江夏区", "湖北省", "武汉市", "county", "420115", None)
    for mentions in (["江夏区"], ["中共武汉市江夏区委"], ["中共江夏区委"]):
        assert fields(resolve_unit(mentions)) == expected


def test_prefecture_and_province():
    assert fields(resolve_unit(["郑州市"])) == ("郑州市", "河南省", "郑州市", "city", "410100", None)
    assert fields(resolve_unit(["中共郑州市委"])) == ("郑州市", "河南省", "郑州市", "city", "410100", None)
    assert fields(resolve_unit(["湖南省"])) == ("湖南省", "湖南省", None, "province", "430000", None)
    assert fields(resolve_unit(["中共湖南省委"])) == ("湖南省", "湖南省", None, "province", "430000", None)
    # a prefecture-level city without districts
    assert fields(resolve_unit(["东莞市"])) == ("东莞市", "广东省", "东莞市", "city", "441900", None)


def test_municipalities_have_no_city():
    assert fields(resolve_unit(["上海市浦东新区"])) == ("浦东新区", "上海市", None, "county", "310115", None)
    assert fields(resolve_unit(["浦东新区"])) == ("浦东新区", "上海市", None, "county", "310115", None)
    assert fields(resolve_unit(["天津滨海新区"])) == ("滨海新区", "天津市", None, "county", "120116", None)
    assert fields(resolve_unit(["北京市朝阳区"])) == ("朝阳区", "北京市", None, "county", "110105", None)
    assert fields(resolve_unit(["中共北京市委"])) == ("北京市", "北京市", None, "province", "110000", None)


def test_autonomous_divisions_banners_leagues_forest_district():
    enshi = ("湖北省", "恩施土家族苗族自治州", "city", "422800", None)
    assert fields(resolve_unit(["恩施土家族苗族自治州"]))[1:] == enshi
    # the short forms the text uses, derived by rule (leading part of the name + 州)
    assert fields(resolve_unit(["恩施州"])) == ("恩施州", *enshi)
    assert fields(resolve_unit(["中共恩施州委"])) == ("恩施州", *enshi)
    assert fields(resolve_unit(["湘西州"])) == ("湘西州", "湖南省", "湘西土家族苗族自治州", "city", "433100", None)
    assert fields(resolve_unit(["黔东南州"]))[1:4] == ("贵州省", "黔东南苗族侗族自治州", "city")
    assert fields(resolve_unit(["长阳土家族自治县"])) == (
        "长阳土家族自治县", "湖北省", "宜昌市", "county", "420528", None)
    assert fields(resolve_unit(["长阳县"]))[1:] == ("湖北省", "宜昌市", "county", "420528", None)
    assert fields(resolve_unit(["科尔沁右翼前旗"])) == (
        "科尔沁右翼前旗", "内蒙古自治区", "兴安盟", "county", "152221", None)
    assert fields(resolve_unit(["鄂伦春自治旗"]))[1:] == ("内蒙古自治区", "呼伦贝尔市", "county", "150723", None)
    assert fields(resolve_unit(["兴安盟"])) == ("兴安盟", "内蒙古自治区", "兴安盟", "city", "152200", None)
    assert fields(resolve_unit(["神农架林区"])) == ("神农架林区", "湖北省", None, "county", "429021", None)
    guangxi = ("广西壮族自治区", None, "province", "450000", None)
    assert fields(resolve_unit(["中共广西壮族自治区委员会"]))[1:] == guangxi
    assert fields(resolve_unit(["和田地区"]))[1:] == ("新疆维吾尔自治区", "和田地区", "city", "653200", None)


def test_nfkc_and_compatibility_characters():
    # U+2F6F KANGXI RADICAL STONE is NFKC-equal to 石
    assert fields(resolve_unit(["\u2f6f家庄市"]))[1:] == ("河北省", "石家庄市", "city", "130100", None)
    assert resolve_unit(["中共怀化市鹤城区委\u3000"]) == HECHENG


# --------------------------------------------------------------------------- ambiguity


def test_ambiguous_name_without_evidence_gives_name_and_level_only():
    assert fields(resolve_unit(["朝阳区"])) == ("朝阳区", None, None, "county", None, None)
    assert fields(resolve_unit(["中共鼓楼区委"])) == ("鼓楼区", None, None, "county", None, None)
    ctx = "关于巡视整改进展情况的通报"
    assert fields(resolve_unit(["城关区"], ctx)) == ("城关区", None, None, "county", None, None)


def test_prefix_in_the_mention_disambiguates():
    assert fields(resolve_unit(["中共长春市朝阳区委"])) == ("朝阳区", "吉林省", "长春市", "county", "220104", None)
    assert fields(resolve_unit(["兰州市城关区"]))[1:] == ("甘肃省", "兰州市", "county", "620102", None)
    assert fields(resolve_unit(["西藏自治区拉萨市城关区"]))[1:] == ("西藏自治区", "拉萨市", "county", "540102", None)
    # a later mention's prefix helps an earlier, shorter one
    assert fields(resolve_unit(["朝阳区委", "中共长春市朝阳区委员会"]))[1:3] == ("吉林省", "长春市")


def test_context_disambiguates_by_counting_names():
    ctx = "根据吉林省委统一部署……长春市委第二巡察组……中共长春市朝阳区委"
    assert fields(resolve_unit(["朝阳区委"], ctx)) == ("朝阳区", "吉林省", "长春市", "county", "220104", None)
    assert resolve_unit(["朝阳区"], "北京市委巡视组。北京市……长春市").province == "北京市"
    assert resolve_unit(["鼓楼区"], "江苏省南京市").city == "南京市"
    assert resolve_unit(["鼓楼区"], "福建省委第三巡视组").city == "福州市"
    assert resolve_unit(["新华区"], "河北省沧州市新华区委……沧州市").city == "沧州市"


def test_context_tie_stays_ambiguous():
    # 南京 and 徐州 are both in 江苏: the province alone cannot choose between them
    assert fields(resolve_unit(["鼓楼区"], "江苏省委第一巡视组")) == ("鼓楼区", None, None, "county", None, None)
    assert resolve_unit(["朝阳区"], "北京市……长春市").adcode is None


def test_prefix_that_contradicts_the_data_is_not_overruled():
    # 鹤城区 lies in 怀化, not 株洲: do not silently pick the only 鹤城区
    assert fields(resolve_unit(["株洲市鹤城区"])) == ("鹤城区", None, None, "county", None, None)


def test_division_missing_from_the_data_keeps_what_the_text_shows():
    u = resolve_unit(["长沙市望城县"])  # 望城 became a district in 2011
    assert fields(u) == ("望城县", "湖南省", "长沙市", "county", None, None)


def test_two_character_names_are_still_names():
    assert fields(resolve_unit(["新县"])) == ("新县", "河南省", "信阳市", "county", "411523", None)
    assert fields(resolve_unit(["城区"])) == ("城区", None, None, "county", None, None)  # 阳泉, 晋城, 汕尾


def test_stem_matching_both_a_province_and_a_prefecture_has_no_level():
    assert fields(resolve_unit(["吉林"])) == ("吉林", None, None, None, None, None)


# --------------------------------------------------------------------------- organisations


def test_development_zone_with_city_in_its_name():
    assert fields(resolve_unit(["武汉经开区"])) == ("武汉经开区", "湖北省", "武汉市", "organization", None, "武汉市")
    assert fields(resolve_unit(["武汉经济技术开发区"]))[1:] == ("湖北省", "武汉市", "organization", None, "武汉市")
    assert fields(resolve_unit(["株洲高新区"]))[1:] == ("湖南省", "株洲市", "organization", None, "株洲市")
    # a 国家级新区 that is not a division stays an organisation
    expected = ("长沙湘江新区", "湖南省", "长沙市", "organization", None, "长沙市")
    assert fields(resolve_unit(["长沙湘江新区"])) == expected


def test_department_without_parent_info():
    assert fields(resolve_unit(["区文旅体局"])) == ("区文旅体局", None, None, "organization", None, None)
    assert fields(resolve_unit(["市卫健委"])) == ("市卫健委", None, None, "organization", None, None)


def test_department_parent_from_context():
    ctx = "中共株洲市荷塘区委关于巡察整改进展情况的通报\n区委第二巡察组对区文旅体局党组进行了巡察。荷塘区"
    u = resolve_unit(["区文旅体局"], ctx)
    assert fields(u) == ("区文旅体局", "湖南省", "株洲市", "organization", None, "荷塘区")
    u = resolve_unit(["市卫健委"], "宜城市委巡察办……宜城市")
    assert fields(u) == ("市卫健委", "湖北省", "襄阳市", "organization", None, "宜城市")


def test_department_parent_from_another_mention():
    u = resolve_unit(["区文旅体局", "株洲市荷塘区文旅体局"])
    assert (u.name, u.parent, u.city, u.level) == ("区文旅体局", "荷塘区", "株洲市", "organization")


def test_department_parent_in_the_name():
    u = resolve_unit(["中共株洲市财政局党组"])
    assert fields(u) == ("株洲市财政局", "湖南省", "株洲市", "organization", None, "株洲市")
    u = resolve_unit(["鹤城区委组织部"])
    assert fields(u) == ("鹤城区委组织部", "湖南省", "怀化市", "organization", None, "鹤城区")
    u = resolve_unit(["湖南省交通运输厅"])
    assert fields(u) == ("湖南省交通运输厅", "湖南省", None, "organization", None, "湖南省")


def test_department_with_ambiguous_parent():
    u = resolve_unit(["鼓楼区卫健局"])
    assert fields(u) == ("鼓楼区卫健局", None, None, "organization", None, "鼓楼区")
    assert resolve_unit(["鼓楼区卫健局"], "福建省福州市").city == "福州市"


def test_companies_universities_hospitals():
    assert fields(resolve_unit(["中共湖南建工集团有限公司委员会"])) == (
        "湖南建工集团有限公司", None, None, "organization", None, None)
    assert fields(resolve_unit(["中南大学"])) == ("中南大学", None, None, "organization", None, None)
    # a stem is read as a place only in front of a zone: 中山大学 is not in 中山市
    assert fields(resolve_unit(["中山大学"])) == ("中山大学", None, None, "organization", None, None)
    u = resolve_unit(["株洲市中心医院"])
    assert (u.level, u.parent, u.province) == ("organization", "株洲市", "湖南省")


# --------------------------------------------------------------------------- garbage


@pytest.mark.parametrize("mentions", [[""], ["abc"], ["的"], [], ["   "], ["区"], ["委"], ["中共"], ["123456"]])
def test_garbage_gives_an_empty_unit(mentions):
    assert resolve_unit(mentions) == NOTHING
    assert resolve_unit(mentions, "的的的 abc 市市区区县") == NOTHING


def test_garbage_mention_is_skipped_for_a_good_one():
    assert resolve_unit(["的", "", "鹤城区委"]) == HECHENG


def test_wrong_types_do_not_raise():
    assert resolve_unit(None) == NOTHING  # type: ignore[arg-type]
    assert resolve_unit([None, "鹤城区"]) == HECHENG  # type: ignore[list-item]
    assert resolve_unit("鹤城区") == HECHENG  # type: ignore[arg-type]
    assert resolve_unit(["鹤城区"], None) == HECHENG  # type: ignore[arg-type]
    assert strip_party_affixes(None) == ""  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="中共区县市州省旗盟委员会党组湖南朝阳鼓楼城关武汉经开局 abc的\u3000(", max_size=12),
                max_size=3),
       st.text(alphabet="江苏省南京市长春北京朝阳区县的", max_size=40))
def test_never_raises(mentions, context):
    u = resolve_unit(mentions, context)
    assert isinstance(u, Unit)
    assert u.level in (None, "province", "city", "county", "organization")
    assert u.adcode is None or (len(u.adcode) == 6 and u.adcode.isdigit())
