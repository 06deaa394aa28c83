"""Names for the demo region: districts, townships, village stems, departments, demo people.

Township names are real; village stems and firm names are plausible but invented, so no demo
record can be mistaken for a real community or business.
"""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.accounts.models import Role
from fengqiao.orgs.models import DepartmentType, StationKind

CITY_NAME = "重庆市"
CITY_NAME_EN = "Chongqing"


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    name_en: str
    short: str
    lng: float
    lat: float
    phone_prefix: str
    # Streets (街道) are listed centre-out and fill the middle of the district; towns (镇) the rim.
    streets: tuple[str, ...]
    towns: tuple[str, ...]
    roads: tuple[str, ...]


DISTRICTS = (
    DistrictSpec(
        code="500118000000",
        name="永川区",
        name_en="Yongchuan District",
        short="永川",
        lng=105.93,
        lat=29.36,
        phone_prefix="4986",
        streets=(
            "胜利路街道",
            "中山路街道",
            "南大街街道",
            "大安街道",
            "卫星湖街道",
            "陈食街道",
            "茶山竹海街道",
        ),
        towns=(
            "朱沱镇",
            "吉安镇",
            "仙龙镇",
            "来苏镇",
            "宝峰镇",
            "松溉镇",
            "临江镇",
            "何埂镇",
            "五间镇",
            "三教镇",
            "板桥镇",
            "金龙镇",
            "双石镇",
            "红炉镇",
            "永荣镇",
            "青峰镇",
        ),
        roads=(
            "人民大道",
            "昌州大道",
            "兴龙大道",
            "渝西大道",
            "汇龙大道",
            "萱花路",
            "棠城大道",
            "红河大道",
            "玉屏路",
            "北山路",
        ),
    ),
    DistrictSpec(
        code="500112000000",
        name="渝北区",
        name_en="Yubei District",
        short="渝北",
        lng=106.63,
        lat=29.72,
        phone_prefix="6782",
        streets=(
            "龙塔街道",
            "双龙湖街道",
            "回兴街道",
            "仙桃街道",
            "宝圣湖街道",
            "龙溪街道",
            "两路街道",
            "龙山街道",
            "双凤桥街道",
            "王家街道",
        ),
        towns=(
            "木耳镇",
            "兴隆镇",
            "茨竹镇",
            "大盛镇",
            "洛碛镇",
            "古路镇",
            "统景镇",
            "大湾镇",
            "石船镇",
            "玉峰山镇",
            "龙兴镇",
        ),
        roads=(
            "双龙大道",
            "龙华大道",
            "兰桂大道",
            "金开大道",
            "新南路",
            "松石大道",
            "红锦大道",
            "龙山大道",
            "宝圣大道",
            "空港大道",
        ),
    ),
)

# Place-name stems; each village or community takes one, unique within its district.
VILLAGE_STEMS = (
    "红旗",
    "萱花",
    "文昌",
    "和平",
    "光明",
    "新华",
    "民主",
    "团结",
    "建设",
    "人民",
    "东门",
    "西门",
    "南门",
    "北门",
    "桂花",
    "玉屏",
    "凤凰",
    "龙泉",
    "双竹",
    "石坝",
    "大坡",
    "青龙",
    "白鹤",
    "金鸡",
    "黄瓜山",
    "天堂",
    "狮子",
    "松林",
    "竹林",
    "茶园",
    "梨园",
    "桃源",
    "杏林",
    "荷花",
    "柏树",
    "马鞍",
    "虎峰",
    "云龙",
    "双河",
    "三角",
    "五星",
    "八角",
    "望城",
    "迎宾",
    "汇龙",
    "清溪",
    "碧水",
    "新城",
    "兴隆",
    "金桥",
    "长春",
    "永兴",
    "福寿",
    "太平",
    "安乐",
    "高峰",
    "黄桷",
    "石桥",
    "红星",
    "平安",
    "洪湖",
    "临江",
    "观音",
    "宝峰",
    "仙鹤",
    "朝阳",
    "向阳",
    "曙光",
    "丰收",
    "农科",
    "双石",
    "大石",
    "土桥",
    "盐井",
    "凉风",
    "花园",
    "锦绣",
    "龙井",
    "燕子",
    "白云",
    "青杠",
    "枣子",
    "桐梓",
    "柑子",
    "石龙",
    "新桥",
    "花果",
    "长岭",
    "高桥",
    "水口",
    "老街",
    "河坝",
    "塘坝",
    "堰塘",
    "三星",
    "四方",
    "九龙",
    "双桥",
    "茅坪",
    "红光",
    "水井",
    "大河",
    "小河",
    "玉龙",
    "金竹",
    "银杏",
    "紫薇",
    "腊梅",
    "翠竹",
    "兰花",
    "天星",
    "月亮",
    "复兴",
    "振兴",
    "兴旺",
    "和睦",
    "新民",
    "新生",
    "东岳",
    "西湖",
    "南山",
    "北斗",
    "中坝",
    "上游",
    "下湾",
    "石院",
    "瓦房",
    "草坪",
    "松柏",
    "龙凤",
)

# "8 + 18 + N" at each district centre; ``{d}`` is the district name, ``{s}`` its short name.
DISTRICT_RESIDENT = (
    (DepartmentType.COURT, "{d}人民法院诉讼服务团队"),
    (DepartmentType.POLICE, "{d}公安分局"),
    (DepartmentType.JUSTICE, "{d}司法局"),
    (DepartmentType.PETITIONS, "{d}信访办公室"),
    (DepartmentType.HRSS, "{d}人力社保局（劳动人事争议仲裁院）"),
    (DepartmentType.WOMEN, "{d}妇女联合会"),
    (DepartmentType.TRADE_UNION, "{d}总工会"),
    (DepartmentType.MEDIATION_COMMITTEE, "{d}矛盾纠纷联合人民调解委员会"),
)
DISTRICT_ROTATING = (
    (DepartmentType.HOUSING, "{d}住房城乡建委"),
    (DepartmentType.MARKET, "{d}市场监管局"),
    (DepartmentType.NATURAL_RESOURCES, "{d}规划自然资源局"),
    (DepartmentType.ECOLOGY, "{d}生态环境局"),
    (DepartmentType.HEALTH, "{d}卫生健康委"),
    (DepartmentType.EDUCATION, "{d}教委"),
    (DepartmentType.TRANSPORT, "{d}交通局"),
    (DepartmentType.AGRICULTURE, "{d}农业农村委"),
    (DepartmentType.CIVIL_AFFAIRS, "{d}民政局"),
    (DepartmentType.FINANCE_REGULATION, "国家金融监督管理总局{s}监管分局"),
    (DepartmentType.EMERGENCY, "{d}应急管理局"),
    (DepartmentType.LAW_SOCIETY, "{d}法学会专家服务团"),
    (DepartmentType.LEGAL_AID, "{d}法律援助中心"),
    (DepartmentType.NOTARY, "重庆市{s}公证处"),
    (DepartmentType.ARBITRATION, "{s}仲裁委员会"),
    (DepartmentType.PSYCHOLOGY, "{d}心理咨询服务中心"),
    (DepartmentType.INDUSTRY_MEDIATION, "{d}物业纠纷人民调解委员会"),
    (DepartmentType.INDUSTRY_MEDIATION, "{d}医疗纠纷人民调解委员会"),
)
# The on-call pool alternates firms and mediation bodies, so any prefix holds some of each.
DISTRICT_ON_CALL = (
    (DepartmentType.LAW_FIRM, "重庆{s}信诚律师事务所"),
    (DepartmentType.INDUSTRY_MEDIATION, "{d}道路交通事故纠纷人民调解委员会"),
    (DepartmentType.LAW_FIRM, "重庆{s}厚德律师事务所"),
    (DepartmentType.INDUSTRY_MEDIATION, "{d}消费纠纷人民调解委员会"),
    (DepartmentType.LAW_FIRM, "重庆{s}明理律师事务所"),
    (DepartmentType.INDUSTRY_MEDIATION, "{d}婚姻家庭纠纷人民调解委员会"),
)
# ``{t}`` is the township name without 街道/镇, ``{T}`` the full name.
TOWNSHIP_DEPARTMENTS = (
    (DepartmentType.JUSTICE, "{t}司法所"),
    (DepartmentType.POLICE, "{t}派出所"),
    (DepartmentType.MEDIATION_COMMITTEE, "{T}人民调解委员会"),
    (DepartmentType.COMMUNITY, "{T}社区治理团队"),
    (DepartmentType.GOVERNANCE_OFFICE, "{T}综治办"),
)
# ``{v}`` is the village or community name.
VILLAGE_DEPARTMENTS = ((DepartmentType.MEDIATION_COMMITTEE, "{v}人民调解委员会"),)

# ``{n}`` is the unit's name, ``{t}`` a township's name without 街道/镇.
STATION_NAMES = {
    StationKind.CENTRE: "{n}综治中心",
    StationKind.POLICE_SUBCENTRE: "{t}派出所综治分中心",
    StationKind.MEDIATION_ROOM: "{n}人民调解室",
    StationKind.WORKSTATION: "{n}工作站",
}
OPENING_HOURS = {
    StationKind.CENTRE: "周一至周五 9:00-17:30",
    StationKind.POLICE_SUBCENTRE: "24小时",
    StationKind.MEDIATION_ROOM: "周一至周五 9:00-17:00",
    StationKind.WORKSTATION: "周一至周六 8:30-17:30",
}
# City and district centres also open at weekends.
HOURS_BIG_CENTRE = "周一至周日 9:00-17:30"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: Role
    display_name: str
    # Where the login sits: "city", "district" (永川区), "township" (永川区胜利路街道),
    # "township2" (渝北区龙塔街道) or "grid" (a grid of 胜利路街道).
    post: str
    department: DepartmentType | None = None


DEMO_PEOPLE = (
    DemoPerson("admin", Role.ADMIN, "系统管理员", "city"),
    DemoPerson("leader", Role.LEADER, "王建国", "district"),
    DemoPerson("clerk", Role.CLERK, "刘晓婷", "township"),
    DemoPerson("clerk2", Role.CLERK, "周敏", "township2"),
    DemoPerson("mediator", Role.MEDIATOR, "赵德明", "township", DepartmentType.MEDIATION_COMMITTEE),
    DemoPerson("grid", Role.GRID_WORKER, "杨勇", "grid"),
    DemoPerson("liaison", Role.LIAISON, "孙丽华", "district", DepartmentType.COURT),
    DemoPerson("auditor", Role.AUDITOR, "李秀兰", "district"),
    DemoPerson("analyst", Role.ANALYST, "陈思远", "district"),
)
