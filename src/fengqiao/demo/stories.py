"""The four stories of the Chongqing report, as demo cases built through the real services.

(a) 李云琴 (a pseudonym) asks 永川区综治中心 for help against domestic violence: the court, the
    women's federation and the police act, the court issues a personal safety protection order,
    the case is restricted, and a divorce judgment ends it two months later.
(b) 160 migrant workers are owed 2.1 million yuan by several subcontractors: the construction
    mediation committee's 任在霞 brings in housing, human resources and the trade union; a month
    later a mediation agreement is signed and confirmed by the court.
(c) A sensor finds the septic tank of 农转非 resettlement housing No. 2 in 龙塔街道 past its
    maintenance date at 10:05; the township and the community verify it on site at 10:26 and
    close the case with feedback inside half an hour.
(d) Villagers of 永川区 and of 四川省合江县 quarrel over forest land on the border: the district
    leads, the other province's centre is a partner, and a joint mediation settles it.

The services stamp everything with the present moment; each step is then moved back to the time
the story gives it (``_Story.step``), so the timelines read as they happened. The demo people are
invented, with valid check digits: nobody real can be looked up by them.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Case as Choose
from django.db.models import DateTimeField, F, Model, When
from django.db.models.functions import Trunc
from django.utils import timezone

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.cases.handling import services as handling
from fengqiao.cases.handling.models import (
    Agreement,
    Assignment,
    JudicialConfirmation,
    MediationSession,
    ProtectiveOrder,
    Referral,
)
from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case, Party, Report, TimelineEvent
from fengqiao.cases.pii import id_check_digit
from fengqiao.cases.schemas import CaseIn, CaseUpdate
from fengqiao.cases.services import case_register, case_update
from fengqiao.demo.names import VILLAGE_STEMS
from fengqiao.notifications.models import Notification
from fengqiao.orgs.models import Department, DepartmentType, Level, OrgUnit
from fengqiao.orgs.services import org_unit_create

T = TypeVar("T")
STORY_IDS = {
    "dv": "YC-ZZ-DV-0917",
    "wages": "YC-TJ-QX-0160",
    "septic": "YB-WY-HFC-0002",
    "border": "YC-KQ-LD-0033",
}

# --- invented people ----------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任沈姚卢傅钟"
)
GIVEN = {
    "m": "伟强磊军洋勇杰涛明超刚平辉波斌峰宇浩鑫建国志文华林成龙德兵海东",
    "f": "芳娜敏静丽艳娟秀霞桂英玉梅琴云兰红燕萍玲慧婷雪莉倩凤菊蓉洁",
}
# Where people were born: Chongqing districts mostly, migrant workers from the neighbours.
BIRTH_REGIONS = ("500118", "500112", "500101", "500113", "500222", "510521", "511602", "520322")
MOBILE_PREFIXES = ("133", "135", "138", "139", "152", "158", "177", "180", "187", "189", "199")
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class People:
    """Names, resident ID numbers (GB 11643 check digit), mobiles and firms, all invented."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self, sex: str | None = None) -> tuple[str, str]:
        sex = sex or self.rng.choice("mf")
        given = "".join(self.rng.choices(GIVEN[sex], k=self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given, sex

    def id_number(self, sex: str, on: date, age: int | None = None, region: str = "") -> str:
        years = age if age is not None else self.rng.randint(20, 79)
        born = on - timedelta(days=years * 365 + self.rng.randint(10, 350))
        serial = self.rng.randrange(0, 500) * 2 + (1 if sex == "m" else 0)  # odd for men
        first17 = f"{region or self.rng.choice(BIRTH_REGIONS)}{born:%Y%m%d}{serial:03d}"
        return first17 + id_check_digit(first17)

    def phone(self) -> str:
        return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def firm(self, template: str, **names: str) -> tuple[str, str]:
        return template.format(w=self.rng.choice(VILLAGE_STEMS), **names), self.credit_code()

    def credit_code(self) -> str:
        """A unified social credit code (GB 32100) whose two check characters are valid."""
        org = [self.rng.randrange(10) for _ in range(8)]
        check = 11 - sum(d * w for d, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        body = "91500118" + "".join(map(str, org)) + {10: "X", 11: "0"}.get(check, str(check))
        total = sum(
            _CREDIT_ALPHABET.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True)
        )
        return body + _CREDIT_ALPHABET[(31 - total % 31) % 31]


# --- the story clock ----------------------------------------------------------------------

# What the services stamp with the present moment, per model: moved back after each step.
_STAMPED: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (Case, "pk", ("created_at", "updated_at", "accept_deadline", "resolve_deadline",
                  "accepted_at", "resolved_at", "closed_at")),
    (Report, "case_id", ("created_at", "updated_at", "received_at")),
    (Party, "case_id", ("created_at", "updated_at")),
    (TimelineEvent, "case_id", ("at",)),
    (Assignment, "case_id", ("created_at", "updated_at", "deadline", "completed_at")),
    (MediationSession, "case_id", ("created_at", "updated_at")),
    (Agreement, "case_id", ("created_at", "updated_at", "signed_at")),
    (JudicialConfirmation, "agreement__case_id",
     ("created_at", "updated_at", "requested_at", "decided_at")),
    (ProtectiveOrder, "case_id", ("created_at", "updated_at")),
    (Referral, "case_id", ("created_at", "updated_at")),
    (Notification, "case_id", ("created_at", "sent_at")),
)  # fmt: skip
# Deadlines reach at most this far past a step; a story step must lie further back than that,
# or a later step would take an earlier deadline for something it stamped itself.
_REACH = timedelta(days=31)


class _Story:
    """One case told step by step through the services; each step's stamps are moved back to the
    time the story gives it."""

    def __init__(self, actor: User, day: date) -> None:
        self.actor, self.day = actor, day
        self.case_id = 0

    def t(self, days: int, clock: str) -> datetime:
        """``days`` after the story's first day, at ``clock`` ("09:40" or "10:05:20")."""
        moment = time.fromisoformat(clock if clock[2:3] == ":" else f"0{clock}")
        tz = timezone.get_current_timezone()
        return datetime.combine(self.day + timedelta(days=days), moment, tzinfo=tz)

    def run(self, when: datetime, action: Callable[[], T]) -> T:
        since = timezone.now()
        if when > since - _REACH:
            raise ValueError(f"story steps must lie before {since - _REACH:%Y-%m-%d}")
        result = action()
        self.case_id = self.case_id or result.case.pk  # type: ignore[attr-defined]
        shift = since - when
        for model, key, fields in _STAMPED:
            # To the whole second: the milliseconds the services took must not push a step
            # that the story times at exactly half an hour past it.
            moved = {
                name: Choose(
                    When(
                        **{f"{name}__gte": since},
                        then=Trunc(F(name) - shift, "second", DateTimeField(), tzinfo=UTC),
                    ),
                    default=F(name),
                )
                for name in fields
            }
            model._default_manager.filter(**{key: self.case_id}).update(**moved)
        return result

    def register(self, when: datetime, channel: str, ref: str, told: str, **payload: Any) -> None:
        """Register the case; the first party (when a person) reported it, in ``told`` words."""
        first, report = payload["parties"][0], {"content": told, "channel": channel}
        payload["report"] = {**report, "external_id": STORY_IDS[ref]}
        if reporter := payload.pop("reporter", ""):
            payload["report"]["reporter_name"] = reporter
        elif first.get("kind", "person") == "person":
            payload["report"].update(reporter_name=first["name"], reporter_phone=first["phone"])
        data = CaseIn.model_validate(payload)
        self.run(when, lambda: case_register(actor=self.actor, data=data))

    def do(self, when: datetime, service: Callable[..., T], by: User | None = None, **kw: Any) -> T:
        """Call a service on the story's case, as ``by`` (the teller unless said otherwise)."""
        return self.run(when, lambda: service(actor=by or self.actor, case_id=self.case_id, **kw))

    def move(self, when: datetime, action: str, by: User | None = None, **kwargs: Any) -> None:
        self.do(when, case_transition, by, action=action, expected_version=None, **kwargs)

    def assign(self, when: datetime, department: Department, task: str, **kwargs: Any) -> None:
        # Any deadline works (it moves back with the step); the service wants a future one.
        deadline = timezone.now() + timedelta(days=20)
        kwargs.update(department_id=department.pk, task=task, deadline=deadline)
        self.do(when, handling.assignment_add, **kwargs)

    def work(self, when: datetime, department: Department, note: str, **kwargs: Any) -> None:
        row = Assignment.objects.get(case_id=self.case_id, department=department)
        actor = kwargs.pop("by", None) or self.actor
        self.run(
            when,
            lambda: handling.assignment_update(
                actor=actor, assignment_id=row.pk, expected_version=row.version, note=note, **kwargs
            ),
        )

    def session(self, when: datetime, place: str, participants: str, record: str) -> None:
        self.do(
            when,
            handling.mediation_session_record,
            held_at=when,
            place=place,
            participants=participants,
            record=record,
        )

    def case(self) -> Case:
        return Case.objects.get(pk=self.case_id)


def _staff(username: str, display_name: str, role: str, unit: OrgUnit, **extra: Any) -> User:
    """A person of the stories: they act in the timelines but cannot sign in."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=secrets.token_urlsafe(24),
            role=role,
            units=[unit],
            display_name=display_name,
            check_password_strength=False,
            **extra,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class _Region:
    def __init__(self) -> None:
        self.yongchuan = OrgUnit.objects.get(code="500118000000")
        self.yubei = OrgUnit.objects.get(code="500112000000")

    @staticmethod
    def township(district: OrgUnit, name: str) -> OrgUnit:
        """The named township; the district's last when a small demo region lacks it."""
        townships = list(OrgUnit.objects.filter(parent=district).order_by("path"))
        return next((t for t in townships if t.name == name), townships[-1])

    @staticmethod
    def grid(unit: OrgUnit) -> int:
        grids = OrgUnit.objects.filter(path__startswith=unit.path, level=Level.GRID)
        return grids.order_by("path").values_list("pk", flat=True)[0]

    @staticmethod
    def department(unit: OrgUnit, kind: str) -> Department:
        return Department.objects.filter(org_unit=unit, department_type=kind).order_by("pk")[0]


def _person(people: People, role: str, on: date, **fields: Any) -> dict[str, Any]:
    """A party of a story, as ``CaseIn`` takes it: invented name (unless given), phone, ID."""
    name, sex = people.name(fields.pop("sex", None))
    age, region = fields.pop("age", None), fields.pop("region", "")
    id_number = people.id_number(sex, on, age=age, region=region)
    return {"role": role, "name": name, "phone": people.phone(), "id_number": id_number, **fields}


def story_domestic_violence(region: _Region, people: People, today: date) -> Case:
    yongchuan = region.yongchuan
    court = region.department(yongchuan, DepartmentType.COURT)
    women = region.department(yongchuan, DepartmentType.WOMEN)
    judge = User.objects.get(username="liaison")
    township = region.township(yongchuan, "中山路街道")
    police = region.department(township, DepartmentType.POLICE)
    victim = _person(people, "applicant", today, sex="f", age=35, name="李云琴（化名）")
    s = _Story(_staff("yc_desk", "张静", Role.CLERK, yongchuan), today - timedelta(days=100))
    s.register(
        s.t(0, "09:40"),
        title="李云琴（化名）遭受家庭暴力求助",
        description="“我被家暴了！”35岁的李云琴（化名）哭着来到永川区综治中心求助，称丈夫长期"
        "对其殴打、威胁。执勤法警一边安抚其情绪，一边将情况报告前台负责分流的工作人员。",
        category="M01.09",
        channel="window",
        ref="dv",
        told="当事人到区综治中心窗口求助，执勤法警陪同登记。",
        unit_id=region.grid(township),
        address=f"永川区{township.name}（住址已隐去）",
        risk_colour="red",
        risk_reason="家庭暴力，存在人身安全风险",
        parties=[victim, _person(people, "respondent", today, sex="m")],
    )
    s.move(s.t(0, "09:43"), "accept")
    s.move(s.t(0, "09:45"), "start")
    s.work(
        s.t(0, "09:52"), court, "法院诉讼服务团队介入，指导申请人身安全保护令", assignee_id=judge.pk
    )
    s.work(s.t(0, "10:05"), women, "区妇联维权站到场，开展心理疏导，联系临时庇护场所")
    s.work(s.t(0, "10:20"), police, "派出所出具家庭暴力告诫书，调取就医和报警记录", move="accept")
    issued = s.t(2, "15:30")
    s.do(
        issued,
        handling.protective_order_record,
        by=judge,
        court_id=court.pk,
        issued_at=issued,
        valid_until=issued.date() + timedelta(days=180),
        measures="禁止被申请人实施家庭暴力；禁止骚扰、跟踪、接触申请人及其近亲属；"
        "责令被申请人迁出申请人住所。",
    )
    s.work(s.t(3, "10:00"), women, "妇联、公安联合开展人身安全保护，定期回访，列为重点关注对象")
    s.move(
        s.t(20, "16:00"),
        "refer",
        reason="申请人向永川区人民法院提起离婚诉讼，保护令执行期间持续跟踪",
        referral_kind="litigation",
        referral_body="永川区人民法院",
    )
    s.move(s.t(62, "11:00"), "close", reason="永川区人民法院判决准予离婚；妇联、派出所继续回访")
    return s.case()


def story_wage_arrears(region: _Region, people: People, today: date) -> Case:
    yongchuan = region.yongchuan
    committee, _ = Department.objects.get_or_create(
        org_unit=yongchuan,
        name="永川区建筑领域纠纷人民调解委员会",
        defaults={"department_type": DepartmentType.INDUSTRY_MEDIATION},
    )
    mediator = _staff("ren_zaixia", "任在霞", Role.MEDIATOR, yongchuan, department=committee)
    court = region.department(yongchuan, DepartmentType.COURT)
    judge = User.objects.get(username="liaison")
    township = region.township(yongchuan, "卫星湖街道")
    foreman = _person(people, "applicant", today, sex="m", region="511602")
    firms = [people.firm("重庆{w}建筑劳务有限公司") for _ in range(3)]
    s = _Story(mediator, today - timedelta(days=160))
    s.register(
        s.t(0, "09:00"),
        title="160余名农民工被拖欠工资210万元",
        description="某安置房建设项目160余名工人反映，多个分包公司拖欠其工资共计约210万元，"
        "工人多次讨要未果，情绪激动，存在集体上访风险。",
        category="M10.02",
        channel="mediation-room",
        ref="wages",
        told="工人代表携用工记录、工资欠条到建筑领域纠纷调委会求助。",
        unit_id=region.grid(township),
        address=f"永川区{township.name}某安置房建设项目工地",
        people_involved=160,
        amount="2100000",
        risk_colour="orange",
        risk_reason="涉及160余名农民工，临近年关，易引发群体性事件",
        parties=[
            foreman,
            *(
                {"role": "respondent", "kind": "organisation", "name": name, "org_code": code}
                for name, code in firms
            ),
        ],
    )
    s.move(s.t(0, "09:10"), "accept")
    s.move(s.t(0, "09:20"), "start")
    s.assign(
        s.t(0, "09:30"),
        committee,
        "任在霞牵头，请区住建委、人社局、总工会的调解专家共同商议调解方案",
        assignee_id=mediator.pk,
    )
    room = "永川区综治中心建筑领域纠纷调委会调解室"
    s.session(
        s.t(1, "14:30"),
        room,
        "区住建委、区人社局、区总工会调解专家；工人代表5名；3家分包公司负责人",
        "梳理欠薪明细，核对用工和工资台账，确定初步调解方案。",
    )
    s.session(
        s.t(8, "14:30"),
        "3家分包公司办公地点",
        "调解专家；3家分包公司负责人；总包单位项目经理",
        "实地走访分包公司，了解资金状况，征求各方意见，由总包单位督促分包公司筹措资金。",
    )
    s.session(
        s.t(27, "14:30"),
        room,
        "调解专家；工人代表；分包公司；总包单位",
        "各方就支付金额、期限和方式达成一致。",
    )
    signed = s.t(30, "10:00")
    agreement = s.do(
        signed,
        handling.agreement_record,
        terms="3家分包公司于协议签订后7日内向160名工人足额支付拖欠工资共计2,100,000元，"
        "总包单位承担连带保证责任。",
        amount=Decimal("2100000"),
        performance_deadline=signed.date() + timedelta(days=7),
    )
    confirmation = s.run(
        s.t(30, "10:30"),
        lambda: handling.confirmation_request(
            actor=mediator, agreement_id=agreement.pk, court_id=court.pk
        ),
    )
    s.run(
        s.t(32, "15:00"),
        lambda: handling.confirmation_decide(
            actor=judge,
            confirmation_id=confirmation.pk,
            confirmed=True,
            note="经审查，调解协议系双方真实意思表示，内容合法，裁定确认有效",
        ),
    )
    s.run(
        s.t(36, "16:00"),
        lambda: handling.agreement_set_performance(
            actor=mediator, agreement_id=agreement.pk, performed=True, note="工人们已领取应得工资"
        ),
    )
    s.move(s.t(36, "17:00"), "resolve", public_note="调解协议已履行，160名工人工资全部到位")
    s.move(s.t(38, "10:00"), "close", reason="回访工人代表，满意")
    return s.case()


def _septic_day(today: date) -> date:
    """11 March, as in the report: this year's once far enough back, else last year's."""
    this_year = date(today.year, 3, 11)
    return this_year if this_year <= today - timedelta(days=45) else date(today.year - 1, 3, 11)


def story_septic_tank(region: _Region, people: People, today: date) -> Case:
    longta = region.township(region.yubei, "龙塔街道")
    communities = OrgUnit.objects.filter(parent=longta, name__endswith="社区").order_by("path")
    # The report's 工农社区 where the region has it; else the street's first community.
    community = communities.filter(name="工农社区").first() or communities[0]
    clerk = User.objects.get(username="clerk2")
    team = region.department(longta, DepartmentType.COMMUNITY)
    firm, code = people.firm("重庆{w}物业服务有限公司")
    place = f"渝北区龙塔街道{community.name}农转非安置房2号化粪池"
    feed = _staff("yb_iot", "渝北区数字化城市运行和治理中心（接口）", Role.CLERK, region.yubei)
    s = _Story(feed, _septic_day(today))
    s.register(
        s.t(0, "10:05"),
        title=f"{community.name}农转非安置房2号化粪池维保检查超期",
        description=f"“法治·物业纠纷化解一件事”应用内设的小区公共设施设备预警模块检测到{place}"
        "存在维保检查超期潜在风险，易引发衍生群体性物业纠纷。",
        category="M09.08",
        channel="sensor",
        ref="septic",
        told=f"【预警】{place}维保检查超期",
        reporter="小区公共设施设备预警模块",
        unit_id=community.pk,
        address=place,
        people_involved=320,
        risk_reason="安置房住户集中，化粪池隐患易引发群体性物业纠纷",
        parties=[{"role": "respondent", "kind": "organisation", "name": firm, "org_code": code}],
    )
    s.assign(s.t(0, "10:05:20"), team, "自动交办属地：现场核实化粪池维保情况并处置")
    s.move(s.t(0, "10:06"), "accept", by=clerk)
    s.move(s.t(0, "10:07"), "start", by=clerk)
    s.work(s.t(0, "10:08"), team, "街道、社区和物业公司赶赴现场", by=clerk, move="accept")
    s.work(
        s.t(0, "10:26"),
        team,
        f"龙塔街道、{community.name}会同涉事物业公司现场核实，情况属实；同步开展检修保养、隐患排查",
        by=clerk,
    )
    s.work(s.t(0, "10:31"), team, "化粪池检修保养完成，隐患排除", by=clerk, move="complete")
    s.move(s.t(0, "10:33"), "resolve", by=clerk, public_note="化粪池已检修保养，隐患已排除")
    s.move(s.t(0, "10:35"), "close", by=clerk, reason="已办结，结果反馈区数字化城市运行和治理中心")
    return s.case()


def _partner_county() -> OrgUnit:
    """四川省泸州市合江县: the other jurisdiction, a tree of its own beside the demo city."""
    county = OrgUnit.objects.filter(code="510522000000").first()
    if county is None:
        city = OrgUnit.objects.filter(code="510500000000").first() or org_unit_create(
            code="510500000000", name="泸州市", name_en="Luzhou", level=Level.CITY
        )
        county = org_unit_create(
            code="510522000000", name="合江县", name_en="Hejiang", level=Level.DISTRICT, parent=city
        )
    return county


def story_border_dispute(region: _Region, people: People, today: date) -> Case:
    yongchuan = region.yongchuan
    leader = User.objects.get(username="leader")
    county = _partner_county()
    partner, _ = Department.objects.get_or_create(
        org_unit=county,
        name="合江县综治中心",
        defaults={"department_type": DepartmentType.GOVERNANCE_OFFICE},
    )
    township = region.township(yongchuan, "朱沱镇")
    village = OrgUnit.objects.filter(parent=township).order_by("-path")[0]
    ours = _person(people, "applicant", today, region="500118")
    s = _Story(_staff("yc_desk", "张静", Role.CLERK, yongchuan), today - timedelta(days=75))
    s.register(
        s.t(0, "15:00"),
        title=f"川渝交界林地权属纠纷（{township.name}—合江县）",
        description=f"{township.name}{village.name}村民与四川省泸州市合江县相邻村村民因交界处"
        "约80亩林地权属和林木采伐发生争执，双方多次口角，存在械斗风险。",
        category="M07.03",
        channel="leader-visit",
        ref="border",
        told="区委主要负责人接访时村民代表反映。",
        unit_id=village.pk,
        address=f"永川区{township.name}{village.name}与合江县交界林地",
        people_involved=46,
        risk_colour="orange",
        risk_reason="跨省边界，群体性对立情绪明显",
        cross_region=True,
        partner_unit_ids=[county.pk],
        parties=[ours, _person(people, "respondent", today, region="510522")],
    )
    s.move(s.t(0, "15:08"), "accept")
    s.move(s.t(0, "15:10"), "start")
    version = s.case().version  # the district's top leader takes the case on personally
    s.do(
        s.t(0, "15:20"),
        case_update,
        leader,
        expected_version=version,
        changes=CaseUpdate(leader_id=leader.pk),
    )
    office = region.department(township, DepartmentType.GOVERNANCE_OFFICE)
    forestry = region.department(yongchuan, DepartmentType.NATURAL_RESOURCES)
    s.assign(s.t(0, "15:25"), office, "属地牵头，稳控双方村民情绪", role="lead")
    s.assign(s.t(0, "15:30"), forestry, "调取林权档案，组织联合勘界")
    s.assign(s.t(0, "15:35"), partner, "跨区域联调：做好合江县一方村民工作")
    both = "永川区、合江县综治中心；两地镇村干部；双方村民代表各5名"
    s.session(
        s.t(6, "10:00"),
        "两地交界争议林地现场",
        both,
        "两地自然资源部门依据林改确权图联合勘界，重新埋设界桩。",
    )
    s.session(
        s.t(13, "10:00"),
        f"{township.name}综治中心",
        both,
        "川渝两地综治中心联合调解，双方就林木采伐和管护达成一致。",
    )
    s.do(
        s.t(13, "11:00"),
        handling.agreement_record,
        terms="以联合勘界确定的界桩为准；争议林木由双方共同管护，采伐须经两地村委会同意；"
        "两地村（居）建立联防联调机制。",
        amount=Decimal("0"),
        performance_deadline=None,
    )
    s.move(s.t(14, "09:00"), "resolve", public_note="川渝两地联合调解成功，签订调解协议")
    s.move(s.t(20, "10:00"), "close", reason="回访两地村民，无反复")
    return s.case()


def load_stories(*, seed: int, today: date | None = None) -> list[str]:
    """Create the four stories (inside the caller's transaction); a line about each."""
    today = today or timezone.localdate()
    region, people = _Region(), People(random.Random(seed))
    tellers = (story_domestic_violence, story_wage_arrears, story_septic_tank, story_border_dispute)
    return [
        f"{case.number} {case.title}" for case in (tell(region, people, today) for tell in tellers)
    ]
