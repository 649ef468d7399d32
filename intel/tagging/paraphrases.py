"""Signals stated by what happens rather than named: cue pairs within one sentence.

A lexicon term names a signal ("export controls", 「輸出規制」); reports often
describe it instead: "new sales to foreign buyers need ministry sign-off",
「出荷前に当局の審査が必要になった」, "a levy on every tonne shipped abroad",
"deliveries slipped to next quarter", 「部品が届かず」. Each rule here is two
cue groups (a permission and an outbound sale; a charge and an export; a
delivery and a delay) that count only when both occur in the same sentence
close together, so neither cue alone ("approval", "exports", "late") is
evidence. Pure Python with no Django import; the engine runs the rules over
the normalised text (lower-cased NFKC) of each field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set
from typing import NamedTuple

# Patterns read normalised text: lower case, hyphens as spaces ("sign off",
# "case by case"). Nothing between two cues may end a sentence.
_EN_GAP = r"[^.;!?]{0,%d}?"
# Small counts written out ("keep four months of…").
_COUNT_WORDS = "two|three|four|five|six|seven|eight|nine|ten|twelve"
# A pattern ends at a word boundary, which "%" lacks: end on the digits instead.
_PERCENT_AHEAD = r"(?= ?(?:%|percent|per cent))"
# The same, but not across a second clause or a heading's colon ("approval for
# the drug, and the company said exports…"): for cues of one statement.
_EN_CLAUSE_GAP = r"(?:(?!, and | said | says )[^.;:!?]){0,%d}?"
_JA_GAP = r"[^。！？!?]{0,%d}?"


def _pair(first: str, second: str, gap: str, *, both_orders: bool = True) -> str:
    forward = f"(?:{first}){gap}(?:{second})"
    if not both_orders:
        return forward
    return f"{forward}|(?:{second}){gap}(?:{first})"


# English cue groups, word-bounded by the patterns below.
_PERMISSION = (
    r"permits?|licen[cs]es?|licen[cs]ing|approvals?|sign ?off|signed off|authori[sz]ations?"
    r"|clearances?|vetting|vetted|screening|case by case reviews?|government reviews?"
    r"|end users? (?:checks?|certificates?|statements?|declarations?)"
    r"|end use (?:checks?|certificates?|statements?|declarations?)"
    r"|(?:government|ministry|official|state) (?:nod|say so|go ahead|green light)"
    r"|say so|apply for|apply to|applications?|vet|vets|paperwork|end users?|end use"
    # An authority that must look at each sale: "MOTIE now wants to see every new sale…".
    # ("has to clear customs" is routine, so no "clear" or "check" here.)
    r"|(?:wants?|needs?|has|have|gets?) to (?:see|review|vet|approve)"
    r"|(?:must|needs? to|has to|have to|will have to) be (?:cleared|approved|vetted|checked"
    r"|screened|signed off|licen[cs]ed) by"
    # An authority screening cargo, not "screens sold abroad" (displays).
    r"|screen(?:s|ed)? (?:every|each|all|any)"
    r"|certificates? from (?:the |its )?(?:\w+ )?(?:ministry|government|authorit(?:y|ies))"
)
_OUTBOUND = (
    # "exports rose 3%" is a figure, not an outbound sale.
    r"exports?\b(?! (?:\w+ ){0,3}(?:rose|fell|grew|were up|were down|up|down"
    r"|increased|decreased|climbed|dropped))"
    r"|exporters?|exported|exporting"
    r"|(?:overseas|foreign)"
    r" (?:sales|shipments?|deliver(?:y|ies)|customers?|buyers?|clients?|purchasers?|orders?)"
    r"|(?:sold|sales|shipped|shipping|shipments|deliveries|sent|sending|sell|selling)"
    r" (?:\w+ ){0,4}(?:abroad|overseas|out of the country|to foreign)"
    r"|outbound (?:\w+ ){0,2}(?:cargo(?:es)?|shipments?|consignments?|sales)"
    r"|(?:consignments?|cargo(?:es)?|shipments?) (?:\w+ ){0,4}"
    r"(?:leaving|bound for|heading to|going to)"
    r"|(?:sell|selling|sold|sales|deliver|delivered|delivering|shipments?|deliveries)"
    r" to (?:any |an |a )?(?:overseas|foreign)"
    r"|leav(?:e|es|ing) the country"
    r"|(?:goes|go|going|went|sent|ship|shipped) abroad"
    r"|(?:sales?|shipments?|deliver(?:y|ies)|orders?) (?:of (?:[\w']+ ){1,4})?to (?:any )?"
    r"(?:buyers|customers|clients|end users) (?:outside|abroad|in other countries)"
)
_CHARGE = (
    r"duty|duties|levy|levies|taxe?s?|surtax(?:es)?|surcharges?|tariffs?"
    r"|(?:customs|import|border) charges?"
    r"|\d+(?:\.\d+)? ?(?:%|percent|per cent) (?:charge|fee)"
    r"|(?:charge|charges|charging|impose|imposes|imposing|slap|slaps|slapping)"
    r" (?:a |an )?\d+(?:\.\d+)? ?(?:%|percent|per cent)"
)
_OUTBOUND_GOODS = (
    r"exports?|exported|exporters|outbound"
    r"|(?:shipped|shipments|sold|sales) (?:\w+ ){0,3}(?:abroad|overseas)"
    r"|overseas shipments|leaving the country|leaving (?:\w+ ){0,2}ports?"
    r"|(?:goes|go|going|went|sent|ship|shipped) abroad"
)
_BELOW_COST = (
    r"(?:below|under) (?:production )?cost|at unfairly low prices|unfairly (?:cheap|low priced)"
    r"|dumped|dumping"
)
_CASE_OR_DUTY = (
    r"probes?|probing|probed|investigations?|investigating|investigated|inquiry|inquiries"
    r"|complaints?|petitions?|duty|duties"
)
_INBOUND_GOODS = (
    r"imports?|imported|crossing the border|entering the country|coming in from|arriving from"
)
_TRADE_CASE = (
    r"(?:dumping|anti ?dumping|subsidy|subsidies|anti ?subsidy|countervailing|trade remedy)"
    r" (?:probes?|investigations?|inquiry|inquiries|cases?|complaints?|petitions?|review)"
    r"|below (?:fair|normal) value"
)
_SUPPLY_ITEM = (
    r"deliveries|delivery|shipments|shipment|cargoes|cargo|supplies|parts|components|materials"
    r"|consignments?|containers|cells|chips|units|feedstock|vessels|ships|tankers|trucks"
    r"|wafers|substrates|modules|lots|goods|equipment|tools|ingredients|spares"
)
_LATE = (
    r"slipped|slipping|slips|delayed|(?:running|are|were|is|was|ran) late|held up|stuck"
    r"|postponed|pushed back|pushed out|held at (?:the )?(?:border|port|customs)"
    r"|dried up|drying up|not arrived|failed to arrive|yet to arrive|did not arrive"
    r"|didn't arrive|never arrived|did not turn up|failed to turn up"
    r"|stranded|detained|impounded|(?:sitting|sat) (?:at|in) [^.;:!?]{1,30}? since"
)
_LEAD_TIME = r"lead times?|delivery times?|waiting times?"
# What a buyer waits for, and when: "customers expect their cells in Q2, not January".
_DELIVERED = (
    r"orders?|deliveries|cells|parts|units|shipments?|cargo(?:es)?|chips|goods|products"
    r"|materials|modules|components|vehicles|engines|equipment|machines|tools"
)
_PERIOD = (
    r"(?:q[1-4]|the (?:first|second|third|fourth) quarter|next (?:quarter|year|month)"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d{4})"
)
_LONGER = (
    r"stretch|stretches|stretched|stretching|lengthened|lengthening|doubled|tripled|extended"
    r"|ballooned"
)
_FACILITY = (
    r"plants?|factor(?:y|ies)|fabs?|production lines?|mines?|refiner(?:y|ies)|smelters?"
    r"|shipyards?|yards?|facilit(?:y|ies)|gigafactor(?:y|ies)|furnaces?|reactors?"
)
# "€200m" and "$1.1b" only right after a currency sign ("200 m" may be metres).
# The sign is looked behind: patterns start at a word boundary, which it lacks.
_SIGNED_MONEY = r"(?<=[$€£¥])\d[\d,]*(?:\.\d+)? ?(?:m|b)\b"
# A space may follow the sign ("US$ 2 billion"); none leads, so an amount starts a word.
_AMOUNT = (
    r"(?:(?:(?:us|a|c|hk|nz|s)?\$|€|£|¥) ?)?\d[\d,]*(?:\.\d+)? ?"
    r"(?:billion|bn|million|mn|trillion)"
)
# An amount and the word after it, which may be its unit ("169 million barrels").
_MONEY = r"(?:" + _AMOUNT + r"(?: \w+)?|" + _SIGNED_MONEY + ")"
_MONEY_ONLY = (
    r"(?:" + _AMOUNT + r"(?: (?:dollars|euros|yen|won|yuan|pounds|rupees))?|" + _SIGNED_MONEY + ")"
)
_RISE = (
    "rise",
    "rises",
    "rising",
    "grow",
    "grows",
    "climb",
    "climbs",
    "increase",
    "increases",
    "jump",
    "double",
    "triple",
)
_UNABLE = r"could not|cannot|can't|couldn't|unable to|failed to|struggl(?:e|ed|es|ing) to"
# "failed to get approval" is no shortage.
_OBTAIN = (
    r"ship|deliver|supply|source|obtain|get hold of|procure|fill orders|find"
    r"|get(?! (?:approval|permission|a licen|the licen|clearance|the go ahead))"
)
# "can't find enough certified people" is a labour shortage, not a supply one.
_NOT_LABOUR = (
    r"(?! (?:enough |qualified |certified |skilled |experienced |new )*(?:people|staff|workers"
    r"|welders|engineers|talent|labou?r|employees|recruits|drivers|pilots|nurses|technicians"
    r"|hires)\b)"
)


class Rule(NamedTuple):
    signal: str
    weight: float
    pattern: re.Pattern[str]
    # Every match holds one of these; the rule runs only on sentences that do.
    hints: tuple[str, ...]


def _en(*alternatives: str) -> re.Pattern[str]:
    # Every English alternative starts a word. Saying so, not only "\b", lets
    # the regex engine skip every other position, the ends of words included,
    # without trying each alternative there (a third of the rules' time).
    return re.compile(r"\b(?=\w)(?:" + "|".join(alternatives) + r")\b")


def _ja(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))


RULES: tuple[Rule, ...] = (
    Rule(
        "export-control",
        1.0,
        _en(
            _pair(_PERMISSION, _OUTBOUND, _EN_CLAUSE_GAP % 60),
            r"(?:sell|ship|export|deliver|supply|supplied|shipped|sold|delivered)[^.;:!?]{0,40}?"
            r" without (?:a |an |the |government |state |official )?(?:\w+ )?"
            r"(?:licen[cs]es?|permits?|permission|approval|sign off|say so)",
            r"applications? (?:to|for) (?:ship|sell|export|send|deliver)",
            r"(?:stopped|halted|suspended|refused|refuses|denied|denies|revoked)"
            r" (?:granting |issuing |approving )?(?:new )?(?:export )?(?:licen[cs]es|permits)"
            r" for (?:\w+ ){0,3}(?:shipments|sales|exports|cargoes)",
            r"(?:froze|frozen|freez\w+|halt\w*|suspend\w*|stopp\w*|bann\w*|block\w*"
            r"|restrict\w*|curb\w*)"
            r" (?:all |its |new )?(?:outbound|overseas|foreign) (?:sales|shipments|deliveries)",
            r"(?:halt|ban|suspension|freeze|moratorium) on (?:\w+ ){0,3}"
            r"(?:shipments|exports|sales abroad|overseas sales)",
            r"(?:added|adds|add|put|puts|placed) (?:\w+ ){0,4}(?:to|on) (?:its|the|a|their)"
            r" (?:export )?control(?:led)? list",
            # Goods held until an authority has looked: "cannot leave until the
            # authorities have checked the end use", "a licence determination before we ship".
            r"(?:leave|leaves|ship|shipped|go out|exported|delivered|sent|released)"
            r"[^.;:!?]{0,40}? until (?:the )?(?:\w+ )?(?:authorities|ministry|government"
            r"|regulators?|officials|licensing (?:office|authority))",
            r"(?:licen[cs]e|permit|approval|sign off|clearance|determination|end use check"
            r"|end user check)[^.;:!?]{0,30}? before (?:we|they|it|you|anything|the \w+)"
            r" (?:can )?(?:ship|ships|export|exports|deliver|delivers|send|sends)\b",
        ),
        (
            "until the",
            "before we",
            "before they",
            "before it",
            "before you",
            "before anything",
            "wants to",
            "want to",
            "be cleared by",
            "be approved by",
            "be vetted by",
            "be checked by",
            "be screened by",
            "be signed off by",
            "be licensed by",
            "be licenced by",
            "screen",
            "certificate from",
            "certificates from",
            "without",
            "vet",
            "paperwork",
            "abroad",
            "outbound",
            "overseas",
            "foreign",
            "halt on",
            "ban on",
            "suspension on",
            "freeze on",
            "moratorium on",
            "control list",
            "controlled list",
            "nod",
            "say so",
            "go ahead",
            "green light",
            "apply",
            "application",
            "end use",
            "permit",
            "licen",
            "approval",
            "sign off",
            "signoff",
            "signed off",
            "authori",
            "clearance",
            "vetting",
            "vetted",
            "screening",
            "case by case review",
            "government review",
            "end user",
        ),
    ),
    Rule(
        "export-control",
        1.0,
        _ja(
            _pair(
                "許可|承認|審査|認可|届け出|届出|ライセンス|お墨付き|事前確認|事前の確認|確認が必要"
                "|(?:省|庁|当局|政府)に申請",
                # 「輸出実績」「輸出額」 are figures, not a sale waiting for permission.
                "輸出(?!実績|額|量|高|統計|が増|が減)|海外向け|海外への|国外への|国外に|海外の顧客"
                "|海外顧客|海外の取引先|出荷前|持ち出|出荷ごと|出荷の都度|出荷毎",
                _JA_GAP % 30,
            )
        ),
        (
            "許可",
            "承認",
            "審査",
            "認可",
            "届け出",
            "届出",
            "ライセンス",
            "お墨付き",
            "事前確認",
            "事前の確認",
            "確認が必要",
            "に申請",
        ),
    ),
    Rule(
        "tariff",
        1.0,
        _en(
            _pair(_CHARGE, _OUTBOUND_GOODS, _EN_GAP % 60),
            _pair(_CHARGE, _INBOUND_GOODS, _EN_GAP % 30),
            _pair(_BELOW_COST, _CASE_OR_DUTY, _EN_GAP % 60),
            r"(?:raise|raises|raised|raising|lift|lifts|lifted|set|sets|double|doubles|doubled)"
            r" the (?:tariff |duty |import |customs )?rate on (?:\w+ ){1,6}to \d+" + _PERCENT_AHEAD,
            r"(?:raise|raises|raised|raising|double|doubles|doubled|doubling|triple|tripled"
            r"|hike|hikes|hiked|lift|lifts|lifted|cut|cuts|lower|lowers|lowered|halve|halved)"
            r" (?:the |its |their )?(?:import |export )?(?:duty|duties|tariffs?|levy|levies)"
            r" on\b",
            r"(?:pay|pays|paying|charged|charge|assessed|assesses|billed|levied)"
            r" (?:an extra|an additional|extra|additional) \d+(?:\.\d+)?" + _PERCENT_AHEAD,
            r"charges? on (?:\w+ ){0,2}(?:outbound|exported|exports?)\b",
            r"cash deposits (?:\w+ ){0,3}(?:importers|imports)",
            r"(?:case|probe|investigation|inquiry|complaint|petition) (?:on|into|against)"
            r" (?:\w+ ){0,2}(?:subsidi[sz]ed|dumped|cheap|unfairly priced)",
            _TRADE_CASE,
            r"(?:new|extra|additional|higher|punitive|retaliatory|provisional"
            r"|\d+(?:\.\d+)? ?(?:%|percent|per cent)) (?:[\w']+ ){0,2}(?:duty|duties|levy|levies"
            r"|surcharges?) on (?!(?:[\w']+ ){0,4}to (?:report|disclose|ensure|protect|notify"
            r"|prevent|publish|provide|assess|take|make|keep|check|verify|consult)\b)",
        ),
        (
            "rate on",
            "charge on",
            "charges on",
            "cash deposits",
            "duty on",
            "duties on",
            "tariff on",
            "tariffs on",
            "levy on",
            "levies on",
            "surcharge on",
            "surcharges on",
            *(f"{word} {digit}" for word in ("extra", "additional") for digit in range(10)),
            "assessed an",
            "billed an",
            "levied an",
            "cheap",
            "abroad",
            "leaving",
            "import",
            "crossing the border",
            "entering the country",
            "coming in from",
            "arriving from",
            "below cost",
            "below production cost",
            "under cost",
            "under production cost",
            "unfairly",
            "dumped",
            "export",
            "outbound",
            "abroad",
            "overseas",
            "leaving the country",
            "dumping",
            "subsid",
            "countervailing",
            "trade remedy",
            "fair value",
            "normal value",
        ),
    ),
    Rule(
        "tariff",
        1.0,
        _ja(
            _pair("課徴金|課税|税|関税", "輸出|海外向けの出荷|国外への出荷", _JA_GAP % 20),
            "(?:不当廉売|ダンピング|補助金)" + _JA_GAP % 10 + "(?:調査|提訴|申し立て|申立て)",
            # A trade-remedy case in its own words: an injury finding, deposits on imports.
            "国内産業に(?:実質的な|重大な)?損害",
            "(?:保証金|暫定税率)"
            + _JA_GAP % 30
            + "(?:輸入|原産)|(?:輸入|原産)"
            + _JA_GAP % 60
            + "(?:保証金|暫定税率)",
        ),
        ("税", "課徴金", "不当廉売", "ダンピング", "補助金", "国内産業", "保証金", "暫定税率"),
    ),
    Rule(
        "capacity-expansion",
        1.0,
        _en(
            r"(?:approv\w*|build\w*|built|construct\w*|open\w*|commission\w*|plan\w*"
            r"|announc\w*|add\w*) (?:a |an |the |its |their )?(?:\w+ ){0,2}"
            r"(?:\d[\d,]*(?:\.\d+)? ?(?:gw|mw|gwh|tonnes?|tons?)\b(?: \w+){0,3} )(?:"
            + _FACILITY
            + ")",
            r"(?:output|capacity|production) (?:at (?:[\w']+ ){1,4})?"
            r"(?:will |would |is set to |to )?"
            r"(?:" + "|".join(_RISE) + r") (?:to|by) (?:about |around |more than )?\d+",
            r"(?:raise|raises|raised|raising|double|doubles|doubled|doubling|triple|tripled"
            r"|lift|lifts|lifted|lifting|boost|boosts|boosted|increase|increases|increased"
            r"|take|takes|taking|bring|brings|bringing)"
            r" (?:its |their |annual |the |monthly )?(?:[\w']+ ){0,3}(?:output|capacity) (?:to|by)"
            r" (?:about |around |roughly |some |nearly |almost |more than )?"
            r"(?:\d+|a million|a billion)",
            r"(?:open\w*|add|adds|added|adding|build\w*|built|construct\w*|commission\w*)"
            r" (?:a|an|its|their) (?:first|second|third|fourth|fifth|additional)"
            r" (?:\w+ ){0,2}(?:" + _FACILITY + r"|halls?|lines?|trains?|docks?|works|campus)\b",
            r"new (?:\w+ ){0,2}(?:production|assembly|manufacturing|packaging|processing)"
            r" (?:lines?|halls?|plants?|sites?)",
            r"(?:doubl|tripl|quadrupl)\w* (?:the number of |the amount of )?(?:\w+ ){0,3}"
            r"(?:it|they|we|the \w+) can (?:build|make|produce|turn out|process)",
            r"\d[\d,]*(?:\.\d+)? ?(?:gw|mw|gwh|tonnes?|tons?)\b(?: [\w']+){0,3} (?:"
            + _FACILITY
            + r") (?:\w+ ){0,3}(?:opened|opens|started up|starts up|came online|comes online"
            r"|came on stream|began (?:production|operations|operating)|was commissioned"
            r"|will open|is due to open)",
            r"(?:double|doubles|doubled|doubling|triple|triples|tripled|tripling|quadruple\w*)"
            r" (?:its |their |the |our |annual |[\w']+ ){0,3}(?:output|capacity|production)\b"
            r"(?! costs?| prices?)",
        ),
        (
            "gw",
            "mw",
            "ton",
            "output",
            "capacity",
            "doubl",
            "tripl",
            "quadrupl",
            *(
                f"{article} {ordinal}"
                for article in ("a", "its", "their")
                for ordinal in ("first", "second", "third", "fourth", "fifth")
            ),
            "an additional",
            *(
                f"{stage} {place}"
                for stage in ("production", "assembly", "manufacturing", "packaging", "processing")
                for place in ("line", "hall", "plant", "site")
            ),
            *(f"{verb} {preposition}" for verb in _RISE for preposition in ("to", "by")),
        ),
    ),
    Rule(
        "investment",
        1.0,
        _en(
            r"(?:received|receive|receives|secured|secures|won|wins|granted|awarded|landed|got)"
            r" (?:\w+ ){0,3}(?:funding|financing|grants?|loans?|subsidies|subsidy|public money)",
            _pair(
                _MONEY,
                r"to (?:build|expand|develop|fund|finance|upgrade|construct)",
                _EN_GAP % 30,
            ),
            _MONEY_ONLY + r" (?:toward|towards|for the construction of|to help (?:build|fund|pay))",
            _MONEY_ONLY + r"[^.;:!?]{0,60}? in support of",
            r"(?:cover|covers|covering|pay|pays|paying|bear|bears|subsidi[sz]e|subsidi[sz]es)"
            r" (?:up to )?(?:half|a third|a quarter|two thirds|\d+ ?%|\d+ percent)(?: of)?"
            r" (?:the |its |their )?(?:\w+ )?(?:cost|costs)",
            _MONEY_ONLY + r" (?:(?:federal|state|government|public|central|national|regional"
            r"|eu|new) )?(?:grants?|loans?|subsid(?:y|ies)|funding|financing|injections?"
            r"|credit lines?|rescue packages?|support packages?)",
            r"(?:poured|pour|pours|pumped|pump|pumps|injected|inject|injects|ploughed|plowed|sank)"
            r" (?:\w+ ){0,2}" + _MONEY_ONLY + " into",
            r"(?:lent|lend|lends|lending|loaned|loan|loans) (?:\w+ ){0,2}" + _MONEY_ONLY,
            r"(?:budgeted|earmarked|set aside|allocated|allocating|pledged|pledging) (?:at |of )?"
            + _MONEY,
            _MONEY_ONLY + r" (?:in|of) (?:public |state |government |new )?(?:support|funding"
            r"|subsidies|grants|financing|aid) (?:for|to|of)",
        ),
        (
            "toward",
            "construction of",
            "to help",
            "support of",
            "funding",
            "financing",
            "grant",
            "loan",
            "subsid",
            "public money",
            "cost",
            "billion",
            "bn",
            "million",
            "mn",
            "trillion",
        ),
    ),
    Rule(
        "supply-disruption",
        1.0,
        _en(
            _pair(_SUPPLY_ITEM, _LATE, _EN_GAP % 30, both_orders=False),
            _pair(_LEAD_TIME, _LONGER, _EN_GAP % 20, both_orders=False),
            f"(?:{_UNABLE}) (?:{_OBTAIN})" + _NOT_LABOUR,
            r"(?:expect|expects|expected|warned of|face|faces|faced|facing|brace for)"
            r" (?:\w+ ){0,3}delays",
            r"rationing|rationed|ration|rations|on allocation"
            r"|(?:cut|cuts|reduced|trimmed) allocations"
            r"|allocations (?:were |have been )?(?:cut|reduced|trimmed)",
            r"(?:draw|draws|drew|drawn|drawing|run|runs|ran|running) down (?:\w+ ){0,3}"
            r"(?:inventor(?:y|ies)|stocks?|stockpiles|reserves|cover)",
            r"(?:eat|eats|ate|eating|dip|dips|dipped|dipping) into (?:\w+ ){0,2}"
            r"(?:inventor(?:y|ies)|stocks?|stockpiles|reserves|safety stocks?)",
            r"(?:runs?|ran|running|go|goes|went|going) dry\b",
            r"nothing (?:ships|is shipping|has shipped|shipped|moves|is moving|can ship|leaves)",
            r"with no (?:release|delivery|arrival|shipping) date",
            r"(?:tranche|allocation|allotment|volumes?|quota|supply|supplies|deliveries)"
            r" (?:\w+ ){0,2}(?:gets? |got |was |were |is |are |being |been )?"
            r"(?:cut|reduced|trimmed) by",
            # A link cut: "both submarine cables linking the island were cut".
            # ("cable prices were cut" is a price.)
            r"(?:cables?|pipelines?|power lines?|interconnectors?)\b"
            r"(?: (?!(?:prices?|costs?|rates?|budgets?|tariffs?|fees?|orders?)\b)[\w']+){0,8}"
            r" (?:was |were |been |got )?(?:cut|severed|ruptured|sabotaged)\b",
            r"(?:lines?|plants?|factories|factory|kilns?|furnaces?|mills?|smelters?)"
            r" (?:stood|stand|stands|standing|sat|sit|sitting|went|were|was|are|is|lay|lie) idle",
            r"(?:stopped|halted|paused|idled) (?:\w+ ){0,2}(?:lines?|production|output|plants?)",
            r"(?:output|production|operations|shipments|deliveries|supplies)"
            r" (?:has |have |was |were )?(?:stopped|halted|suspended|ceased)",
            r"(?:plants?|refiner(?:y|ies)|smelters?|mines?|fabs?|factor(?:y|ies)|terminals?"
            r"|reactors?) (?:has |have |had )?(?:been |gone |went |remains? |stays? )?offline",
            r"(?:can|could) only (?:fill|meet|supply|deliver|ship) (?:about |around )?"
            r"(?:\d+(?= ?%)|\d+ percent|half|a third|part)",
            r"scrambl\w+ (?:for|to (?:find|secure|source|buy))",
            r"sourc\w+ elsewhere",
            r"(?:quoted|quote|quotes|quoting) (?:\w+ ){0,3}(?:\d+ (?:weeks|months)"
            r"|(?:delivery )?(?:dates?|slots) in \d{4}|\d{4} (?:slots|delivery|deliveries)"
            r"|(?:lead|delivery) times? of)",
            r"(?:expect|expects|expected|get|gets|receive|receives)(?: [\w']+){0,2}"
            r" (?:" + _DELIVERED + r") in " + _PERIOD + r",? (?:instead of|rather than|not) ",
            r"(?:receive|receives|get|gets|getting|receiving) (?:\w+ )?(?:fewer|smaller volumes)",
            _pair(
                r"rerouted|rerouting|diverted|detours?|detoured",
                r"adding|adds|added|extra|longer",
                _EN_GAP % 40,
            ),
            r"(?:cannot|can't|could not|unable to|fewer)"
            + _EN_GAP % 40
            + r" until (?:the |a |an )?(?:\w+ ){0,2}"
            r"(?:arrive|arrives|arrived|are delivered|is delivered|reopens|restarts|resumes)",
            r"(?:limit|limits|limited|limiting|capped|capping|caps) (?:each |every |all )?"
            r"(?:customers?|buyers?|clients?) to",
            r"(?:will|could|would|may|set to|about to|soon) run out|running out of|ran out of"
            r"|run short",
            r"(?:due|expected|scheduled|planned|booked) (?:in|for|by) "
            + _PERIOD
            + r"[^.;:!?]{0,30}? (?:will )?now (?:arrive|come|ship|land|be delivered)",
            r"(?:push|pushes|pushed|moved|moves|shifted|shifts|postponed|postpones)"
            r" (?:\w+ ){0,2}(?:"
            + _DELIVERED
            + r"|delivery|delivery dates?)(?: of(?: [\w'-]+){1,4}?)?(?: from \w+)? (?:back )?"
            r"(?:to|until|into) (?:the |next )?"
            r"(?:autumn|fall|spring|summer|winter|" + _PERIOD + r")",
            r"(?:\d+|" + _COUNT_WORDS + r"|a few|a couple of) (?:days|weeks) of (?:\w+ )?"
            r"(?:parts|stock|inventory|material|materials|supply|supplies|feedstock|ore|fuel)"
            r" left",
            r"(?:sitting|waiting|stuck|idling|queu(?:e)?ing) at anchor (?:off [\w ]{1,30}?)?"
            r"(?:for (?:a|an|another|\d+|" + _COUNT_WORDS + r"|several|more than)|since)\b",
        ),
        (
            "slipp",
            "slips",
            "delayed",
            "late",
            "held up",
            "stuck",
            "postponed",
            "pushed back",
            "pushed out",
            "held at",
            "dried up",
            "drying up",
            "not arrived",
            "to arrive",
            "lead time",
            "delivery time",
            "waiting time",
            "could not",
            "cannot",
            "can't",
            "couldn't",
            "unable to",
            "failed to",
            "struggl",
            "delays",
            "rationing",
            "rationed",
            "rations",
            " ration",
            "on allocation",
            "allocations",
            "draw down",
            "draws down",
            "drew down",
            "drawn down",
            "drawing down",
            "run down",
            "runs down",
            "ran down",
            "running down",
            "idle",
            "idled",
            "suspended",
            "ceased",
            "offline",
            "only",
            "scrambl",
            "elsewhere",
            "stopped",
            "halted",
            "paused",
            "quoted",
            "quote",
            "instead of",
            "rather than",
            ", not ",
            "fewer",
            "smaller volumes",
            "rerout",
            "divert",
            "detour",
            "until",
            "limit",
            "capp",
            "caps",
            "run out",
            "running out",
            "ran out",
            "run short",
            "now arrive",
            "now come",
            "now ship",
            "now land",
            "now be delivered",
            "pushed",
            "moved",
            "shifted",
            "days of",
            "weeks of",
            "at anchor",
            "eat into",
            "eats into",
            "ate into",
            "eating into",
            "dip into",
            "dips into",
            "dipped into",
            "dipping into",
            " dry",
            "nothing",
            "no release",
            "no delivery",
            "no arrival",
            "no shipping",
            "cut by",
            "reduced by",
            "trimmed by",
            "pushes",
            "moves",
            "shifts",
            "postpones",
            "stranded",
            "detained",
            "impounded",
            "sitting",
            "sat",
            "severed",
            "ruptured",
            "sabotaged",
            "cut",
        ),
    ),
    Rule(
        "price-shock",
        1.0,
        _en(
            r"(?:prices?|costs?|rates) (?:of |for )?(?:[\w']+ ){0,4}(?:has |have |had )?"
            r"(?:doubled|tripled|quadrupled|soared|surged|spiked|skyrocketed|rocketed|leapt|leaped"
            r"|ballooned)"
        ),
        (
            "doubled",
            "tripled",
            "quadrupled",
            "soared",
            "surged",
            "spiked",
            "skyrocketed",
            "rocketed",
            "leapt",
            "leaped",
            "ballooned",
        ),
    ),
    Rule(
        "cyber-incident",
        1.0,
        _en(
            r"(?:attackers|intruders|criminals|gang|extortionists)"
            r"(?: [\w']+){0,6} (?:encrypted|locked up|stole|leaked|breached|took down|knocked out)"
        ),
        ("attackers", "intruders", "criminals", "gang", "extortionists"),
    ),
    Rule(
        "technology-breakthrough",
        1.0,
        _en(
            # A first, not a failure: "no one has made money" is quiet, "a result no
            # group had published before" and "no other team had managed to make" are not.
            r"(?:no|no other|nobody|no one)(?: (?:group|team|lab|laboratory|company|firm|one))?"
            r" (?:\w+ ){0,2}(?:had|has) (?:ever )?(?:done|achieved|published|shown|reached"
            r"|demonstrated|built|made)\b[^.;:!?]{0,40}? (?:before|until now|so far|to date)\b",
            r"(?:no|no other|nobody|no one)(?: (?:group|team|lab|laboratory|company|firm|one))?"
            r" (?:\w+ ){0,2}(?:had|has) (?:ever )?managed to (?:make|build|grow|reach|produce"
            r"|achieve)\b",
            r"(?:had|has|have) (?:long )?eluded (?:the field|researchers|rivals|scientists"
            r"|engineers|the industry|everyone|others)",
        ),
        ("no group", "no team", "no lab", "no other", "no one", "nobody", "eluded"),
    ),
    Rule(
        "technology-breakthrough",
        0.8,
        _en(
            # "completed what it calls the first vertical landing", "appears to be the
            # first propulsive landing by a Japanese launcher"; not "the first quarter".
            r"(?:completed|completes|achieved|achieves|demonstrated|demonstrates|performed"
            r"|performs|conducted|conducts|carried out|carries out|marks|marked|claims|claimed"
            r"|be|is|was) (?:what (?:it|they) calls? )?(?:the |its |a )?(?:[\w]+'s )?"
            r"first (?:[\w-]+ ){0,2}(?:landing|flight|launch|demonstration|synthesis|transmission"
            r"|prototype|implementation|operation|run|production of|use of|detection"
            r"|entanglement|teleportation)\b",
        ),
        ("first",),
    ),
    Rule(
        "acquisition",
        1.0,
        _en(
            # "made an offer for 60% of a mid-size arm maker", "buying 51 percent of the firm".
            r"(?:offer|offers|offered|offering|bid|bids|bidding|buy|buys|buying|bought|acquire"
            r"|acquires|acquired|acquiring|take|takes|took|taking|purchase|purchased|purchasing)"
            r" (?:for |of )?(?:a |an |about |around |roughly |some |nearly |up to )?"
            r"\d+(?:\.\d+)?(?:%| ?percent| ?per cent) (?:stake )?(?:of|in) (?:the |a |an |its )?"
            r"(?!(?:[\w'-]+ ){0,2}(?:output|supply|supplies|production|demand|market|capacity"
            r"|exports|imports|sales|shipments|orders|budget|costs?)\b)",
        ),
        ("offer", "bid", "buy", "bought", "acquir", "take", "took", "taking", "purchas"),
    ),
    Rule(
        "regulation",
        1.0,
        _en(
            # Rules that now bind: "under the AI code that took effect in August".
            _pair(
                r"rules?|code|act|law|regulations?|regime|requirements?|directive|standards?",
                r"(?:took|take|takes|taking) effect|(?:came|come|comes|coming|entered|enters"
                r"|enter|entering) into (?:force|effect)",
                _EN_GAP % 40,
            ),
        ),
        ("effect", "into force"),
    ),
    Rule(
        "stockpiling",
        1.0,
        _ja(
            "(?:\\d+|半年|数|1年|一年)(?:カ月|か月|ヶ月|ケ月|日|週間|年)?分の(?:在庫|備蓄)"
            + _JA_GAP % 10
            # 「確保しておくべきだった」 is a regret, not a stock being built.
            + "(?:確保(?!しておくべき|すべき)|積み増|持つ|保有|備え)"
        ),
        ("分の在庫", "分の備蓄"),
    ),
    Rule(
        "stockpiling",
        1.0,
        _en(
            r"\d+ days (?:worth )?of (?:demand|consumption|imports|use|needs)",
            r"(?:now (?:keep|keeps|hold|holds|store|stores)"
            r"|(?:keep|keeps|hold|holds|store|stores|stock|stocks)"
            r" (?:at least|an extra|extra|additional|more than))"
            r" (?:\w+ ){0,2}(?:days|weeks|months) (?:worth )?of",
            r"buy(?:ing|s)? ahead|bought ahead|stock(?:ing|ed|s)? up on",
            # A mandate or a change, not a company's usual cover ("keep 30 days as usual").
            r"(?:must|told to|required to|ordered to|asked to|have to|has to|now)"
            r" (?:keep|hold|store) (?:at least )?(?:\d+|" + _COUNT_WORDS + r")"
            r" (?:days|weeks|months) (?:worth )?of",
            r"(?:build|builds|building|built) up (?:\w+ ){0,2}"
            r"(?:reserves|stocks|inventor(?:y|ies)|stockpiles)",
            r"(?:build|builds|building|built|increase|increases|increased|increasing|raise|raises"
            r"|raised|raising|double|doubles|doubled|doubling|add|adds|added|adding|lift|lifts"
            r"|lifted|lifting|boost|boosts|boosted|boosting) (?:up )?"
            r"(?:our |their |its |the |extra |more )?(?:\w+ )?(?:safety|buffer) stocks?",
            r"fill(?:ing|ed|s)? (?:\w+ ){0,3}(?:caverns|storage|tanks|warehouses)"
            r" (?:well )?(?:beyond|above|to the brim)",
        ),
        (
            "days",
            "weeks",
            "months",
            "ahead",
            "stock up",
            "stocking up",
            "stocked up",
            "stocks up",
            "caverns",
            "storage",
            "tanks",
            "warehouses",
            "build up",
            "builds up",
            "building up",
            "built up",
            "safety stock",
            "buffer stock",
        ),
    ),
    Rule(
        "capacity-expansion",
        1.0,
        _ja(
            "(?:工場|プラント|ライン|製造拠点|生産拠点|生産設備|製造設備|製錬所|造船所|ドック|船台"
            "|データセンター)"
            + _JA_GAP % 12
            + "(?:を新設|を建設|を増設|の建設を|稼働を始|を立ち上げ)",
            "(?:生産|製造|供給|建造)(?:能力|量)"
            + _JA_GAP % 10
            + "(?:引き上げ|倍増|倍に|増強|拡大|増や|高め)",
        ),
        (
            "工場",
            "プラント",
            "ライン",
            "拠点",
            "設備",
            "製錬所",
            "造船所",
            "ドック",
            "船台",
            "データセンター",
            "能力",
            "量",
        ),
    ),
    Rule(
        "investment",
        1.0,
        _ja(
            "(?:億円|兆円|億ドル|万ドル|億ユーロ|億ウォン|兆ウォン|億元|億ポンド|億ルピー)"
            + _JA_GAP % 10
            + "(?:を投じ|を投入|を拠出|を出資|を助成|を補助|を融資|を交付)"
        ),
        ("億円", "兆円", "億ドル", "万ドル", "億ユーロ", "ウォン", "億元", "億ポンド", "億ルピー"),
    ),
    Rule(
        "supply-disruption",
        1.0,
        _ja(
            "(?:部品|材料|原料|資材|素材|荷|製品|貨物|原材料)"
            + _JA_GAP % 8
            + "(?:届かず|届かない|届いていない|入ってこない|入らない|入荷しない)",
            "(?:目途|めど|メド|見通し)が?(?:立たない|立っていない|立たず)",
            "(?:納期|納入|納品|出荷|入荷)" + _JA_GAP % 10 + "(?:ずれ込|延び|長期化|後ろ倒し)",
            # 「リードタイムは従来の4か月から6〜7か月に延びる」
            "(?:リードタイム|調達期間)" + _JA_GAP % 20 + "(?:延び|長期化)",
            # Not 「出荷を止め」: a seller stopping its own sales (to a sanctioned buyer).
            "(?:船積み|積み出し|入荷|荷動き)" + _JA_GAP % 10 + "(?:止ま|止め|ストップ)",
            "(?:か月|ヶ月|カ月|週間|日間)(?:以上|近く|ほど)?も?止まっ",
            "供給が細|調達が難し|調達できな|調達できず|手に入らな|手に入らず|確保できな|確保できず"
            "|入手でき(?:ない|ず)|入手困難",
            "在庫を?取り崩|在庫の取り崩|在庫を?切り崩|在庫の切り崩",
            # A link damaged: 「海底ケーブル2本が相次いで損傷」.
            "(?:ケーブル|パイプライン|送電線|光ファイバー)" + _JA_GAP % 12 + "(?:損傷|切断|断線)",
            # 「出荷の遅れが解消した」 is a recovery, not a disruption.
            "(?:到着|入荷|納入|納品|出荷|配送|輸送|供給|調達|引き渡し)(?:が|の|に)?(?:大幅に|さらに|一段と)?"
            "(?:遅れ|遅延|滞)(?!が解消|を解消|は解消|を取り戻)",
            "入荷待ち|部品待ち|部材待ち|沖待ち|滞船",
            "(?:ライン|工場|生産|操業|稼働|出荷|供給|納入)" + _JA_GAP % 4 + "(?:止ま|止め)",
            "(?:生産|操業|稼働|出荷|供給|納入)(?:を|が)(?:停止|休止|中断)",
            # 「プラント2か所が設備トラブルで止まり」
            "(?:トラブル|故障|火災|事故|停電|爆発)(?:で|により|によって|のため)"
            + _JA_GAP % 4
            + "(?:止ま|停止|休止)",
            # 「流通在庫も底をつきつつある」
            "(?:在庫|玉|供給)" + _JA_GAP % 8 + "(?:底をつ|底を突|払底|枯渇|尽き)",
            # Held by someone else: 「8月積みの2ロットも天津で留め置かれたまま」 (a firm
            # that 「留め置いている」 its own cargo, waiting for a licence, is not).
            "(?:貨物|荷|ロット|コンテナ|製品|部品|材料|原料|出荷)"
            + _JA_GAP % 12
            + "(?:留め置かれ|足止め)",
        ),
        (
            "届か",
            "届い",
            "入ってこない",
            "入らない",
            "入荷しない",
            "立たない",
            "立っていない",
            "立たず",
            "ずれ込",
            "延び",
            "長期化",
            "後ろ倒し",
            "供給が細",
            "調達が難し",
            "調達でき",
            "手に入ら",
            "確保でき",
            "入手でき",
            "入手困難",
            "取り崩",
            "切り崩",
            "損傷",
            "切断",
            "断線",
            "遅れ",
            "遅延",
            "滞",
            "入荷待ち",
            "部品待ち",
            "部材待ち",
            "沖待ち",
            "滞船",
            "ストップ",
            "止ま",
            "止め",
            *(f"{particle}{verb}" for particle in "をが" for verb in ("停止", "休止", "中断")),
            "停止",
            "休止",
            "底をつ",
            "底を突",
            "払底",
            "枯渇",
            "尽き",
            "留め置かれ",
            "足止め",
        ),
    ),
    Rule(
        "export-control",
        1.0,
        _ja(
            # A permission that does not come: 「出荷許可がいまだ下りていない」,
            # 「国務省の承認が下りない」.
            "(?:出荷|輸出)の?許可" + _JA_GAP % 10 + "(?:下り(?:ない|ず|ていない)|出ない|審査中)",
            "(?:国務省|商務省|商務部|経産省|経済産業省|当局)の(?:承認|許可)が(?:下り|出)(?:ない|ず|ていない)",
            # 「コバルトの持ち出しを当面止めて」, 「輸出に月ごとの割当枠」
            "持ち出しを?" + _JA_GAP % 6 + "(?:止め|停止|禁止|制限)",
            "(?:輸出|持ち出し)" + _JA_GAP % 12 + "(?:割当|割り当て|数量枠|クォータ)",
        ),
        ("下り", "出ない", "審査中", "持ち出し", "割当", "割り当て", "数量枠", "クォータ"),
    ),
    Rule(
        "cyber-incident",
        1.0,
        _en(
            r"(?:systems?|servers?|networks?|files|erp|mail|e ?mail|data|computers|laptops"
            r"|databases?|it)(?: [\w']+){0,6} (?:(?:was|were|been|got) )?(?:encrypted|locked up"
            r"|held to ransom|wiped)\b",
            r"(?:payment|ransom|crypto|bitcoin) demands?|demand(?:ing|ed|s)? (?:crypto|bitcoin"
            r"|a ransom|payment) to (?:unlock|decrypt|restore)",
        ),
        ("encrypted", "locked up", "ransom", "wiped", "demand"),
    ),
    Rule(
        "cyber-incident",
        1.0,
        _ja(
            "(?:サーバー?|システム|端末|ネットワーク|アカウント)" + _JA_GAP % 6 + "乗っ取られ",
            "不正な(?:ファームウェア|更新|プログラム)",
        ),
        ("乗っ取られ", "不正な"),
    ),
    Rule(
        "talent-movement",
        1.0,
        _en(
            r"(?:handed|hand|hands|handing) in (?:their |his |her )?notice",
            r"offers? to (?:relocate|move|join)\b",
            r"(?:bringing|brought|bring|flying|flew|fly|flown) (?:in |over )?(?:about |around "
            r"|some |more than |nearly )?[\d,]+ (?:[\w-]+ ){0,2}(?:welders|engineers|workers"
            r"|technicians|researchers|staff|specialists|supervisors|scientists)",
            r"lost (?:\w+ ){0,3}(?:engineers|staff|chiefs|managers|researchers|welders|workers"
            r"|scientists|people) to\b",
        ),
        ("notice", "offer to", "offers to", "bring", "brought", "fly", "flew", "flown", "lost"),
    ),
    Rule(
        "talent-movement",
        1.0,
        _ja(
            _pair(
                "技能者|技術者|溶接工|配管工|研究者|人材|エンジニア|職人|幹部|技能工",
                "移る|移った|移籍|転職|引き抜|移って|流出",
                _JA_GAP % 20,
                both_orders=False,
            )
        ),
        ("移る", "移った", "移籍", "転職", "引き抜", "移って", "流出"),
    ),
    Rule(
        "sanctions",
        1.0,
        # Japan's sanctions make dealings with listed parties need permission.
        _ja("(?:支払い|資本取引|送金)" + _JA_GAP % 10 + "許可制"),
        ("許可制",),
    ),
    Rule(
        "technology-breakthrough",
        1.0,
        _en(
            r"(?:calling|called|calls|described as|hailed as|billed as) (?:it )?(?:a |an )?"
            r"(?:world |new )?(?:record|first|breakthrough)\b"
        ),
        ("calling", "called", "calls", "described as", "hailed as", "billed as"),
    ),
    Rule(
        "technology-breakthrough",
        1.0,
        _ja(
            "(?:wh/kg|ghz|gbps|量子ビット|ナノ|nm|%)" + _JA_GAP % 8 + "(?:を達成|を実現|に成功)",
            "(?:過去最高|世界最高|最高水準)の(?:エネルギー密度|効率|性能|精度|出力|速度|忠実度)",
        ),
        ("達成", "実現", "成功", "過去最高", "世界最高", "最高水準"),
    ),
    Rule(
        "stockpiling",
        1.0,
        _en(
            # A country's months of use, not a firm's cover ("six weeks of consumption left").
            r"(?:\d+|" + _COUNT_WORDS + r") (?:days|weeks|months)(?:'|’)? (?:worth )?of"
            r" (?:national|domestic|the country's|the nation's) (?:demand|consumption|imports|use"
            r"|needs)",
            r"(?:keep|keeps|hold|holds|store|stores) (?:it|them|the \w+) in (?:government|state)"
            r"[\w ]{0,20}?(?:warehouses|storage|depots|sites)",
        ),
        ("days", "weeks", "months", "warehouses", "storage", "depots", "sites"),
    ),
    Rule(
        "stockpiling",
        1.0,
        # 「原薬6か月分以上の在庫確保を求める」, 「3カ月分の備蓄を積み増す」
        _ja(
            "(?:\\d+|数)(?:か月|カ月|ヶ月|週間|日)分(?:以上)?の(?:在庫|備蓄)"
            + _JA_GAP % 6
            + "(?:確保|積み増|保有|持つ|義務|求め)"
        ),
        ("分の在庫", "分以上の在庫", "分の備蓄", "分以上の備蓄"),
    ),
)

PARAPHRASED_SIGNALS = frozenset(rule.signal for rule in RULES)

# hint -> the rules it opens. The lexicon's automaton finds hints in the same
# pass as terms (`Matcher.find(..., hints=...)`), so they cost no scan of their own.
HINTS: dict[str, tuple[int, ...]] = {}
for _index, _rule in enumerate(RULES):
    for _hint in _rule.hints:
        HINTS[_hint] = (*HINTS.get(_hint, ()), _index)
del _index, _rule, _hint
# Changes whenever a rule does: a compiled automaton on disk (which holds the
# hints) is rebuilt, and a database taxonomy gets a new version to re-tag with.
RULES_FINGERPRINT = hashlib.sha256(
    repr([(r.signal, r.weight, r.pattern.pattern, r.hints) for r in RULES]).encode()
).hexdigest()[:12]

# Hints found in a text: (offset just past the hint, the rules it opens).
HintHits = list[tuple[int, tuple[int, ...]]]

# A sentence ends at these marks; a full stop inside a number ("1.5 GW") does not.
# (NFKC has already made full-width "！？" ASCII.)
SENTENCE_MARKS = ".;!?。"


def hint_hits(text: str) -> HintHits:
    """Every hint occurrence in ``text``, found one hint at a time.

    The reference for what the automaton reports; used where no lexicon pass
    ran (tests, a single text).
    """
    hits = []
    for hint, indices in HINTS.items():
        start = text.find(hint)
        while start >= 0:
            hits.append((start + len(hint), indices))
            start = text.find(hint, start + 1)
    return sorted(hits)


_ANY_MARK = re.compile(f"[{re.escape(SENTENCE_MARKS)}]")
# Up to the last mark before a position: the regex engine jumps to the end
# and steps back, so the cost is the distance to that mark, not the text's.
_UP_TO_LAST_MARK = re.compile(f".*[{re.escape(SENTENCE_MARKS)}]", re.DOTALL)


def _ends_sentence(text: str, mark: int) -> bool:
    return text[mark] != "." or not text[mark + 1 : mark + 2].isdigit()


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence holding ``text[position]``."""
    start, before = 0, position
    while (last := _UP_TO_LAST_MARK.match(text, 0, before)) is not None:
        before = last.end() - 1
        if _ends_sentence(text, before):
            start = before + 1
            break
    after = _ANY_MARK.search(text, position)
    while after is not None and not _ends_sentence(text, after.start()):
        after = _ANY_MARK.search(text, after.end())
    return start, after.end() if after is not None else len(text)


def paraphrase_matches(
    text: str, wanted: Set[str], hits: HintHits | None = None
) -> list[tuple[str, float, int, int]]:
    """(signal, weight, start, end) of every rule match in ``text`` for the ``wanted`` signals.

    A rule's pattern runs only over the sentences holding one of its hints
    (``hits``, from the lexicon's pass; found here when not given), so a
    report pays for the few sentences that could match, not for every rule
    over all of its text.
    """
    by_rule: dict[int, list[int]] = {}
    for end, indices in hint_hits(text) if hits is None else hits:
        for index in indices:
            if RULES[index].signal in wanted:
                by_rule.setdefault(index, []).append(end)
    found: list[tuple[str, float, int, int]] = []
    for index in sorted(by_rule):
        rule = RULES[index]
        stop = 0
        # In text order, a hint before the end of the sentence just searched is in it.
        for end in sorted(by_rule[index]):
            if end - 1 < stop:
                continue
            start, stop = sentence_bounds(text, end - 1)
            found.extend(
                (rule.signal, rule.weight, *match.span())
                for match in rule.pattern.finditer(text, start, stop)
            )
    return found
