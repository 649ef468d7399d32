"""Signals described by what happens: the cue-pair rules and how the engine scores them.

The sentences are written from the kinds of paraphrase the tagging quality
issue lists (export controls by what happens, levies on outbound shipments,
anti-dumping cases, disruption as a consequence), not from the labelled set.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from intel.tagging import Tagger, default_tagger
from intel.tagging.normalise import normalise
from intel.tagging.paraphrases import (
    PARAPHRASED_SIGNALS,
    RULES,
    SENTENCE_MARKS,
    hint_hits,
    paraphrase_matches,
    sentence_bounds,
)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return default_tagger()


def signals(tagger: Tagger, body: str, title: str = "") -> list[str]:
    return tagger.tag(title, body).as_contract()["signals"]


DESCRIBED = [
    ("export-control", "Shipments of the powder abroad now require a permit from the ministry."),
    ("export-control", "Exporters must obtain government approval before each overseas shipment."),
    ("export-control", "The ministry stopped issuing permits for overseas sales of the alloy."),
    ("export-control", "Foreign customers can no longer be supplied without a state licence."),
    ("export-control", "Overseas deliveries now need a case-by-case review by the authorities."),
    ("export-control", "海外向けの出荷には経済産業省の許可が必要となった。"),
    ("export-control", "海外の顧客への販売は政府の承認なしにはできなくなった。"),
    ("export-control", "国外への持ち出しに許可が要るようになった。"),
    ("tariff", "A duty on exports of raw nickel took effect on Monday."),
    ("tariff", "Exporters now pay a 15 percent charge on every tonne shipped abroad."),
    ("tariff", "The commission opened an anti-dumping probe that may end in duties."),
    ("tariff", "不当廉売の調査を開始した。"),
    ("tariff", "輸出品に課徴金を上乗せする方針だ。"),
    ("supply-disruption", "Lead times have stretched to nine months for the castings."),
    ("supply-disruption", "The plant could not ship for two weeks after the flood."),
    ("supply-disruption", "Customers were told to expect delays of several weeks."),
    ("supply-disruption", "Suppliers are rationing allocations to their customers."),
    ("supply-disruption", "Buyers are drawing down inventories while they wait."),
    ("supply-disruption", "部品が届かず、組立ラインが止まった。"),
    ("supply-disruption", "出荷が遅れ、納期は来期にずれ込む見通しだ。"),
    ("supply-disruption", "調達が難しくなり、供給が細っている。"),
    ("supply-disruption", "入荷の目途が立たない。"),
    ("capacity-expansion", "The province approved a 2 GW gas-fired plant near the port."),
    ("capacity-expansion", "造船所は建造能力を年12隻に引き上げる。"),
    ("investment", "The start-up received state funding to restart the mine."),
    ("investment", "政府は300億円を投じて工場を支援する。"),
    ("export-control", "Each outbound consignment of the powder needs a government nod."),
    ("export-control", "Makers must apply to the ministry before selling to a foreign buyer."),
    ("export-control", "Cargoes of the ore leaving the port must carry an end-use declaration."),
    ("export-control", "The president announced a moratorium on cobalt exports."),
    ("export-control", "Seoul added the turbines to its controlled list."),
    ("export-control", "国外に販売するには事前確認が必要になった。"),
    ("tariff", "Importers will pay a 12 percent charge on tyres crossing the border."),
    ("tariff", "An inquiry found the sheet was sold below cost, so duties may follow."),
    ("supply-disruption", "Containers of resin were held at the port for a fortnight."),
    ("supply-disruption", "Two assemblers stopped their lines for lack of motors."),
    ("supply-disruption", "Valves are now quoted at 50 weeks by the only supplier."),
    ("supply-disruption", "Ships were rerouted around the cape, adding ten days."),
    ("supply-disruption", "Mills cannot restart until the replacement rollers arrive."),
    ("supply-disruption", "The distributor is limiting each customer to half its usual order."),
    ("supply-disruption", "Smelters say they will run out of ore by March."),
    ("stockpiling", "Refiners were told to hold 60 days of demand in tanks."),
    ("stockpiling", "Hospitals now keep three months of saline on site."),
    ("stockpiling", "Mills are buying ahead before the new quota starts."),
    ("investment", "The state has earmarked $3 billion for the programme."),
    ("export-control", "The junta has frozen overseas sales of tin concentrate."),
    ("tariff", "Brussels found the panels were sold under cost and added duties."),
    ("tariff", "Mexico will put a surtax on cars imported from Asia."),
    ("capacity-expansion", "The yard will double the number of ships it can build."),
    ("supply-disruption", "中国からの原薬の供給が止まっている。"),
    ("capacity-expansion", "The new line will take the mill's output to about a million tonnes."),
    ("capacity-expansion", "The group opened a third assembly hall near the airport."),
    ("capacity-expansion", "Each new packaging line adds about a tenth to throughput."),
    ("capacity-expansion", "工場の生産量を3倍に高める計画だ。"),
    ("investment", "The ministry will cover half the cost of the new furnace."),
    ("export-control", "The supplier cannot ship the lasers to us without a licence."),
    ("export-control", "Applications to send the alloy to Korea were turned down."),
    ("export-control", "The ministry stopped issuing licences for germanium shipments."),
    ("export-control", "Officials must now vet every foreign order for the powder."),
    ("tariff", "Palm oil leaving the ports of Sumatra faces a new levy."),
    ("tariff", "The government will raise the rate on imported tyres to 35%."),
    ("tariff", "Buyers of the foreign sheet will pay an extra 12% at customs."),
    ("tariff", "The commission opened a case against subsidised steel wheels."),
    ("supply-disruption", "Two mills idled production because the ore never arrived."),
    ("supply-disruption", "The supplier can only fill 40% of orders in May."),
    ("supply-disruption", "Refiners are scrambling to secure feedstock after the outage."),
    ("supply-disruption", "The smelter has been offline since the fire."),
    ("supply-disruption", "操業を停止した工場から部品が出てこない。"),
    ("price-shock", "Spot prices for tungsten have doubled since May."),
    ("capacity-expansion", "Output at the Ohio works will rise to 30,000 tonnes a year."),
    ("capacity-expansion", "The group will build a 50,000-tonne smelter in Oman."),
    ("investment", "The state bank lent 2 billion euros to the shipyard."),
    ("investment", "Investors pumped $400 million into the battery start-up."),
    ("stockpiling", "Importers must keep 60 days of crude in storage."),
    ("stockpiling", "Tokyo is building up reserves of antimony."),
    ("stockpiling", "政府は1年分の在庫を確保する。"),
    ("cyber-incident", "Attackers encrypted the shipper's booking systems overnight."),
    # Fourth round: checks before goods may leave, charges stated as a rate, sizes
    # before the opening, slots quoted by year, deliveries moved to a later period.
    (
        "export-control",
        "The coils cannot leave the plant until the ministry has checked the buyer.",
    ),
    ("export-control", "We need a licence determination before we ship the sensors."),
    (
        "export-control",
        "The regulator wants to see every new sale of the alloy to customers outside.",
    ),
    ("tariff", "Jakarta will charge 8% on bauxite leaving the country."),
    ("tariff", "Washington raised the duty on imported solar glass."),
    ("capacity-expansion", "A 40,000-tonne cathode plant opened near Pohang."),
    ("capacity-expansion", "The mill will triple its output of wire rod."),
    ("supply-disruption", "Forge shops quote 2027 slots for large crankshafts."),
    ("supply-disruption", "Customers will now get their modules in Q3 instead of May."),
    ("export-control", "Any shipment to a foreign end user must be cleared by the ministry first."),
    ("export-control", "The authorities now screen every cargo bound for the region."),
    ("export-control", "海外への販売には、その都度経産省に申請しなければならない。"),
    ("tariff", "Brussels is probing whether the plate was dumped."),
    ("supply-disruption", "Orders that were due in March will now arrive in June."),
    ("supply-disruption", "The supplier pushed our delivery to the autumn."),
    ("supply-disruption", "We have about two weeks of parts left."),
    ("supply-disruption", "The vessel has been waiting at anchor for 11 days."),
    ("supply-disruption", "部材の到着が遅れている。"),
    ("supply-disruption", "生産ラインが部品待ちで止まった。"),
    ("technology-breakthrough", "The lab grew a crystal no other team had managed to make."),
    ("technology-breakthrough", "The coating solves a problem that had long eluded engineers."),
    (
        "regulation",
        "Under the new code, which took effect in June, operators must report breaches.",
    ),
    ("stockpiling", "Distributors must keep six weeks of insulin in stock."),
    ("supply-disruption", "The substrates from the Penang plant are slipping again."),
    ("supply-disruption", "Two containers of valves were detained at the border this week."),
    ("supply-disruption", "Our resin lots have been sitting at the port since early May."),
    ("supply-disruption", "Distributors are drawing down their bonded-warehouse inventories."),
    ("supply-disruption", "Both power cables linking the island to the mainland were severed."),
    ("tariff", "Washington confirmed a new 10% duty on imported transformers."),
    ("acquisition", "A trading group made an offer for 51% of the sensor maker."),
    (
        "technology-breakthrough",
        "The start-up completed Japan's first vertical landing of a booster, a milestone.",
    ),
    ("stockpiling", "The plant doubled its safety stock of cobalt salts."),
    ("investment", "The ministry confirmed $300 million in support for a chip research hub."),
    ("price-shock", "Spot cargo quotes came in 25 percent above last month's."),
    ("export-control", "輸出許可の申請から半年たったが、出荷許可はまだ下りていない。"),
    ("export-control", "商務部の承認が下りず、試薬の発送ができない。"),
    ("export-control", "政府が鉱石の持ち出しを当面停止した。"),
    ("export-control", "今月から出荷ごとに当局の許可が必要になった。"),
    ("tariff", "Importers are now being assessed an extra 18% on each entry."),
    ("tariff", "The state raised the floating charge on outbound barley."),
    ("tariff", "Customs will collect cash deposits from importers of the film."),
    ("tariff", "当局は輸入品が国内産業に実質的な損害を与えたと認定した。"),
    ("supply-disruption", "Smelters are running down their safety stock of alumina."),
    ("supply-disruption", "Assemblers are eating into their inventory of drives."),
    ("supply-disruption", "The line runs dry by the end of the month."),
    ("supply-disruption", "Since the fire nothing ships from the plant."),
    ("supply-disruption", "The pallets are in a bonded store with no release date."),
    ("supply-disruption", "Our second-half tranche was cut by about a fifth."),
    ("supply-disruption", "The mill pushes first deliveries of the coil from June into Q4."),
    ("supply-disruption", "港湾ストで船積みが三日前から止まっている。"),
    ("supply-disruption", "センサーが2か月以上止まっている。"),
    ("supply-disruption", "加工業者は在庫取り崩しで対応している。"),
    ("supply-disruption", "ポンプのリードタイムは従来の10週から半年程度に延びた。"),
    ("supply-disruption", "沖合の光ファイバーが錨で損傷した。"),
    ("cyber-incident", "The plant's servers were encrypted overnight."),
    ("cyber-incident", "A note on every screen demanded bitcoin to unlock the files."),
    ("cyber-incident", "工場の制御端末が外部から乗っ取られた。"),
    ("talent-movement", "Four of the lab's chemists handed in their notice this week."),
    ("talent-movement", "The rival flew in 80 technicians from its home plant."),
    ("talent-movement", "The mill lost two shift managers to a competitor."),
    ("talent-movement", "熟練の技術者が海外の競合に相次いで移った。"),
    ("sanctions", "政府は指定団体との資本取引を許可制とした。"),
    ("technology-breakthrough", "The group kept a qubit stable for 2 s, calling it a record."),
    ("technology-breakthrough", "研究チームは変換効率35%を達成したと発表した。"),
    ("stockpiling", "The agency will hold three months of national consumption of the vaccine."),
    ("stockpiling", "The ministry will keep the ore in state-run warehouses."),
    ("investment", "The region awarded the yard a €40m state grant."),
    ("investment", "Seoul will provide 300 billion won towards a new test range."),
    ("investment", "A further $2 billion was transferred in support of the programme."),
    ("investment", "政府は新型炉の開発に5000億ウォンを投入する。"),
    ("supply-disruption", "精錬所が停電で止まり、今月の出荷は見合わせとなった。"),
    ("supply-disruption", "国内の流通在庫はほぼ底をついた。"),
    ("supply-disruption", "書類の不備を指摘され、コンテナ3本が港で留め置かれている。"),
    ("stockpiling", "政府は各社に原料3か月分の在庫確保を義務づける方針だ。"),
    ("stockpiling", "Two hospital groups are lifting their safety stocks to twelve weeks."),
    ("capacity-expansion", "The group opened its first plant in Mexico this week."),
    ("capacity-expansion", "同社は北九州にデータセンターを新設すると発表した。"),
    ("capacity-expansion", "The builders have already broken ground on phase two."),
    ("technology-breakthrough", "新型センサーは業界初の量産品になるという。"),
]


@pytest.mark.parametrize(("signal", "body"), DESCRIBED)
def test_a_signal_described_by_what_happens_is_tagged(tagger, signal, body):
    assert signal in signals(tagger, body)


@pytest.mark.parametrize(
    "body",
    [
        # One cue alone is not the signal.
        "The regulator granted approval for the new drug last week.",
        "Exports rose 4% in October on stronger demand from Europe.",
        "The shipment arrived late in the evening, as planned.",
        "The company pays a 15 percent tax on profits at home.",
        "新薬の承認が下りた。",
        "輸出は前年同月比で3%増えた。",
        "Exports of the unit fell 2% after the licence renewal.",
        "We will wait until the guests arrive.",
        "Hold the line while we check the figures.",
        "The landlord's approval came in May; exports rose 2% in the quarter.",
        "物件の承認を得た。輸出実績は前年並みだった。",
        "The drug won approval, and the maker said exports would start in May.",
        "Approval for the new office: export figures later.",
        "The factory is now dealing with high demand.",
        "Orders for bulk carriers dried up in the third quarter.",
        "The firm failed to get approval for the merger.",
        "The maker will keep 30 days of resin at each plant as usual.",
        "Prices were unchanged while costs of the upgrade were covered by the firm.",
        "Analysts said the company should have kept more stock.",
        "「数年分の在庫を確保しておくべきだった」と話した。",
        "The second half of the year was quiet for the factory.",
        "承認を得たうえで輸出額を確認した。",
        "We expect the results in May, not June.",
        "No one had expected such demand.",
        "Read the manual before we ship anything.",
        "The trucks leave the depot until the end of the month.",
        "A 500 MW plant closed last year.",
        "出荷の遅れが解消した。",
        "会議に遅れた。",
        "We moved the meeting to June.",
        "The board pushed the vote to the autumn.",
        "We have two days of holiday left.",
        "The film will screen in June.",
        "The yacht was lying at anchor in the bay.",
        "Touch screens sold abroad made up half of revenue.",
        "Exports have to clear customs in Rotterdam as usual.",
        "No one has made money from the process yet.",
        "The shipment to a foreign buyer arrived on time.",
        "A new duty on employers to report incidents starts in May.",
        "Results for the first quarter were the first since the merger.",
        "The group bought 30% of the mine's output for next year.",
        "Cable prices were cut by 5% last week.",
        "The plant stretched its safety stock to cover the gap.",
        "Recruiters can't find enough certified welders.",
        "Cut the wire by 10 cm before you solder it.",
        "The screen was wiped clean before the meeting.",
        "She handed in the report on time.",
        "The plant brought 300 new lines of code into production.",
        "The museum will keep the coins in a private collection.",
        "Distributors hold six weeks of consumption in their warehouses.",
        "Plans for a 200 m federal grant scheme for towers were discussed.",
        # A firm keeping its own cargo back is no disruption of supply to it.
        "当社は許可が出るまで貨物を倉庫に留め置いている。",
        "会議は停電のため中止した。",
        "The team opened its first office in Lyon.",
        # The two cues in different sentences do not pair up.
        "The licence was renewed. Exports continued as before.",
    ],
)
def test_a_single_cue_or_cues_in_different_sentences_are_no_signal(body):
    assert paraphrase_matches(normalise(body).text, PARAPHRASED_SIGNALS) == []


@pytest.mark.parametrize(
    "body",
    [
        "Bird flu hit two farms, but there is no shortage of eggs.",
        "Stores report no shortages and no delays this winter.",
        "中国は日本産水産物の輸入を停止した。",
    ],
)
def test_a_denied_shortage_or_an_import_halt_is_no_supply_disruption(tagger, body):
    assert "supply-disruption" not in signals(tagger, body)


def test_the_evidence_span_is_the_described_event(tagger):
    body = "Talks went on. The plant could not ship for two weeks, traders said."
    (tag,) = tagger.tag("", body).signals
    assert tag.slug == "supply-disruption"
    (span,) = tag.spans
    assert span.text == "could not ship"
    assert body[span.start : span.end] == span.text


def test_a_signal_the_lexicon_gives_gets_no_paraphrase_credit(tagger):
    # The rules only look for signals still below the threshold: "drawing
    # down inventories" adds to "delays" (0.5) but not once "delays" come
    # with a lexicon term that gives the signal.
    weak = "Customers were told to expect delays of several weeks."
    strong = "A supply disruption hit the castings. " + weak
    assert [t.score for t in tagger.tag("", weak).signals] == [1.5]
    (tag,) = tagger.tag("", strong).signals
    assert [span.text for span in tag.spans] == ["supply disruption", "delays"]


def test_repeated_paraphrases_decay_like_repeated_terms(tagger):
    one = "The plant could not ship for two weeks."
    two = one + " The mill could not deliver either."

    def score(body: str) -> float:
        return next(t.score for t in tagger.tag("", body).signals if t.slug == "supply-disruption")

    assert score(one) == 1.0
    assert score(two) == 1.5


def test_every_rule_match_holds_one_of_its_hints():
    # The hints gate which sentences a rule runs on, so a match without one
    # would be lost: check each described sentence's matches against them.
    for _, body in DESCRIBED:
        text = normalise(body).text
        for rule in RULES:
            for match in rule.pattern.finditer(text):
                assert any(hint in match.group() for hint in rule.hints), (rule.signal, body)


def test_the_lexicon_pass_finds_the_same_hints_as_the_reference(tagger):
    # Hints ride on the lexicon's automaton (word view and byte view); they
    # must be exactly those a plain substring search finds.
    texts = [body for _, body in DESCRIBED] + [
        "Lead times for licences, can't ship: 1.5 GW plant; 輸出税と課徴金、部品が届かず。",
        "ＥＵ向けの出荷前審査、ＡＩ半導体の輸出許可",
    ]
    for text in texts:
        normalised = normalise(text)
        found: list[tuple[int, tuple[int, ...]]] = []
        tagger._matcher.find(normalised, found)
        assert sorted(found) == hint_hits(normalised.text), text


def test_an_amount_in_the_evidence_starts_at_its_number_or_sign():
    for body, evidence in [
        ("The group raised 480bn in support for the fabs.", "480bn in support for"),
        ("Banks put up US$ 2 billion in support of the new line.", "us$ 2 billion in support of"),
    ]:
        text = normalise(body).text
        found = [text[start:end] for _, _, start, end in paraphrase_matches(text, {"investment"})]
        assert found == [evidence], body


def _sentence_by_definition(text: str, position: int) -> tuple[int, int]:
    """Mark positions around ``position``; a full stop before a digit is no mark."""
    marks = [
        index
        for index, char in enumerate(text)
        if char in SENTENCE_MARKS and not (char == "." and text[index + 1 : index + 2].isdigit())
    ]
    start = max((mark + 1 for mark in marks if mark < position), default=0)
    stop = min((mark + 1 for mark in marks if mark >= position), default=len(text))
    return start, stop


def test_sentence_bounds_are_those_the_marks_define():
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("ab .;!?。1２ ") for _ in range(rng.randint(0, 24)))
        for position in range(len(text) + 1):
            expected = _sentence_by_definition(text, position)
            assert sentence_bounds(text, position) == expected, (text, position)


def test_a_rule_runs_on_every_sentence_holding_one_of_its_hints_whatever_their_order():
    text = normalise(
        "Deliveries slipped to May. The weather was fine. Shipments were delayed again."
    ).text
    hits = hint_hits(text)
    forward = paraphrase_matches(text, {"supply-disruption"}, hits)
    backward = paraphrase_matches(text, {"supply-disruption"}, hits[::-1])
    assert len(forward) == 2
    assert sorted(backward) == sorted(forward)


def test_paraphrases_import_no_django():
    code = "import sys\nimport intel.tagging.paraphrases\nassert 'django' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed code
