"""Generator for the ``countries`` section of ``default_taxonomy.json``.

Owns how country names are chosen: every ISO 3166-1 entry from pycountry
(English names plus the Japanese names of pycountry's ``ja`` locale), minus
names that are ordinary words or belong to several places, plus the curated
aliases below (short names, demonyms, capitals and other metonyms news uses,
Japanese abbreviations such as 「米」「日米」「対中」).

Every other section of the JSON (sectors, signals, commodities, stages, blocs,
ignore phrases, scoring) is edited by hand; this script keeps them as they are.
Re-run it after changing the curated lists or upgrading pycountry::

    python -m intel.tagging.build_default_taxonomy          # rewrite in place
    python -m intel.tagging.build_default_taxonomy --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import gettext
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pycountry

from intel.tagging.taxonomy import DEFAULT_PATH

# Names pycountry offers that would fire on ordinary words or on other places.
# Precision beats recall here: "Chad", "Jordan", "Georgia" are people and a US
# state far more often than countries in our reports. (「ヨルダン」 is kept: the
# person is 「ジョーダン」 in Japanese.)
SKIPPED_NAMES = frozenset(
    {
        "Chad",
        "Jordan",
        "Georgia",
        "Jersey",
        "Guernsey",
        "Man",
        "Saint Helena",
        "Niue",
        "Christmas Island",
        "Norfolk Island",
        "Heard Island and McDonald Islands",
        "Turkey",
        "Guinea",
        "Congo",
        "Republic of the Congo",
        "Dominica",
        "Reunion",
        "Réunion",
        "Taiwan, Province of China",
        "ジョージア",
        "チャド",
        "中国領・台湾",
        "コンゴ",
        "ドミニカ",
        "ギニア",
        "ジャージー",
    }
)

# Short codes that are also English words or abbreviations: matched only in
# this exact case ("US" but never "us").
CASE_SENSITIVE = frozenset(
    {
        "US",
        "U.S.",
        "USA",
        "U.S.A.",
        "UK",
        "U.K.",
        "PRC",
        "ROK",
        "DPRK",
        "UAE",
        "DRC",
        "KSA",
        "Turkey",
        "Guinea",
        "Polish",
        "Congress",
        "NZ",
    }
)

# Japanese one-kanji country abbreviations used as prefixes in news:
# 「米インテル」「独インフィニオン」「蘭ASML」. Generated below as the kanji
# followed by each katakana or Latin letter; the engine only accepts them
# when no other kanji precedes (so 「北米」「南米チリ」「欧米」 stay quiet).
PREFIX_ABBREVIATIONS = {
    "US": "米",
    "GB": "英",
    "DE": "独",
    "FR": "仏",
    "NL": "蘭",
    "KR": "韓",
    "RU": "露",
    "AU": "豪",
}

# fmt: off
CURATED: dict[str, dict[str, list[str]]] = {
    "JP": {
        "en": ["Japan", "Japanese", "Tokyo", "METI", "Ministry of Economy, Trade and Industry",
               "Japanese government", "Osaka", "Kumamoto", "Hokkaido", "Kyushu", "Yokohama",
               "Nagoya", "Kishida", "Ishiba", "Takaichi", "JOGMEC", "JBIC", "NEDO", "Keidanren",
               "Bank of Japan", "Japan's"],
        "ja": ["日本", "日本政府", "わが国", "我が国", "本邦", "経済産業省", "経産省", "内閣府",
               "防衛省", "外務省", "財務省", "日銀", "東京", "大阪", "熊本", "北海道", "九州",
               "横浜", "名古屋", "日米", "日中", "日韓", "日豪", "日英", "日独", "日仏", "日蘭",
               "日印", "日台", "日欧", "日EU", "日露", "日比", "日越", "日加", "訪日", "来日",
               "在日", "岸田", "石破", "高市", "経団連", "国産|0.5", "日系", "農林水産省",
               "農水省", "厚生労働省", "厚労省", "総務省", "国土交通省", "国交省", "文部科学省",
               "文科省", "警察庁", "金融庁", "日英伊", "日米豪印", "日米韓", "日米欧", "日米豪"],
    },
    "CN": {
        "en": ["China", "Chinese", "PRC", "People's Republic of China", "mainland China",
               "Chinese government", "Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Guangdong",
               "Jiangxi", "Inner Mongolia", "Xinjiang", "Wuhan", "Chongqing", "Hefei",
               "Zhongnanhai", "MOFCOM", "Ministry of Commerce of China", "Xi Jinping",
               "Chinese Communist Party", "CCP|0.7", "Communist Party of China"],
        "ja": ["中国", "中華人民共和国", "中国政府", "中国当局", "中国企業", "中国側",
               "中国商務省", "商務省|0.3", "北京", "上海", "深圳", "広東省", "江西省",
               "内モンゴル", "新疆", "武漢", "重慶", "習近平", "中国共産党", "対中", "訪中",
               "米中", "中韓", "中露", "中ロ", "中台", "中印", "中欧", "日中", "中国製", "中国産",
               "在中"],
    },
    "US": {
        "en": ["United States", "United States of America", "US", "U.S.", "USA", "U.S.A.",
               "America", "American", "Americans", "Washington", "White House", "Pentagon",
               "Capitol Hill", "Congress|0.5", "US Treasury", "Treasury Department",
               "Commerce Department", "Department of Commerce", "US Commerce Department",
               "Bureau of Industry and Security", "OFAC", "Office of Foreign Assets Control",
               "Federal Reserve", "Trump administration", "Biden administration", "Trump",
               "Biden", "Silicon Valley", "Arizona", "Texas", "Ohio", "California", "New York",
               # States named after another place: the longer name hides "Jersey", "Mexico".
               "New Jersey", "New Mexico", "Jersey City", "Department of Defense",
               "Department of Energy", "USTR", "CFIUS"],
        "ja": ["米国", "アメリカ", "米政府", "米商務省", "米財務省", "米国防総省", "国防総省|0.7",
               "米エネルギー省", "米議会", "米大統領", "米連邦", "米軍", "米企業", "米系",
               "米国製", "米国産", "米ドル", "ホワイトハウス", "ワシントン", "ペンタゴン", "日米",
               "米中", "米韓", "米欧", "米英", "米露", "米ロ", "米豪", "米印", "米台", "対米",
               "訪米", "在米", "全米", "トランプ", "バイデン", "シリコンバレー", "アリゾナ",
               "テキサス", "オハイオ", "カリフォルニア", "ニューヨーク", "米通商代表部",
               "米連邦準備制度理事会", "日米豪印", "日米韓", "日米欧", "日米豪", "米英豪"],
    },
    "TW": {
        "en": ["Taiwan", "Taiwanese", "Taipei", "Hsinchu", "Kaohsiung", "Tainan",
               "Republic of China"],
        "ja": ["台湾", "台北", "新竹", "高雄", "台南", "日台", "中台", "米台", "台湾当局",
               "台湾政府"],
    },
    "KR": {
        "en": ["South Korea", "Korea", "Republic of Korea", "ROK", "Korean", "Koreans",
               "South Korean", "Seoul", "Busan", "Pyeongtaek", "Ulsan", "Geoje"],
        "ja": ["韓国", "大韓民国", "ソウル", "釜山", "蔚山", "日韓", "米韓", "中韓", "韓米",
               "韓中", "対韓", "訪韓", "韓国政府", "韓国企業", "日米韓"],
    },
    "KP": {
        "en": ["North Korea", "North Korean", "North Koreans", "DPRK", "Pyongyang",
               "Democratic People's Republic of Korea"],
        "ja": ["北朝鮮", "朝鮮民主主義人民共和国", "平壌"],
    },
    "NL": {
        "en": ["Netherlands", "the Netherlands", "Holland", "Dutch", "The Hague", "Amsterdam",
               "Eindhoven", "Veldhoven", "Rotterdam"],
        "ja": ["オランダ", "蘭政府", "日蘭", "ハーグ", "アムステルダム", "ロッテルダム"],
    },
    "DE": {
        "en": ["Germany", "German", "Germans", "Berlin", "Munich", "Dresden", "Bundestag",
               "Bundeswehr"],
        "ja": ["ドイツ", "独政府", "日独", "ベルリン", "ミュンヘン", "ドレスデン"],
    },
    "RU": {
        "en": ["Russia", "Russian", "Russians", "Russian Federation", "Moscow", "Kremlin", "Putin"],
        "ja": ["ロシア", "ロシア連邦", "モスクワ", "クレムリン", "プーチン", "露政府", "対露",
               "日露", "米露", "中露", "訪露"],
    },
    "IN": {
        "en": ["India", "Indian", "Indians", "New Delhi", "Delhi", "Mumbai", "Bengaluru",
               "Bangalore", "Chennai", "Gujarat", "Modi"],
        "ja": ["インド", "ニューデリー", "ムンバイ", "ベンガルール", "グジャラート", "モディ",
               "印政府", "日印", "日米豪印"],
    },
    "AU": {
        "en": ["Australia", "Australian", "Australians", "Canberra", "Western Australia",
               "Sydney", "Queensland", "New South Wales"],
        "ja": ["オーストラリア", "豪州", "豪政府", "日豪", "米豪", "キャンベラ", "シドニー",
               "西オーストラリア", "日米豪印", "日米豪", "米英豪"],
    },
    "GB": {
        "en": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "British", "London",
               "Downing Street", "Westminster", "Northern Ireland", "England", "Scotland", "Wales"],
        "ja": ["英国", "イギリス", "英政府", "日英", "米英", "ロンドン", "日英伊", "米英豪"],
    },
    "FR": {
        "en": ["France", "French", "Paris", "Elysee", "Élysée", "Macron"],
        "ja": ["フランス", "仏政府", "日仏", "パリ", "マクロン"],
    },
    "IT": {
        "en": ["Italy", "Italian", "Rome", "Milan", "Turin"],
        "ja": ["イタリア", "伊政府", "ローマ", "ミラノ", "日英伊"],
    },
    "ES": {
        "en": ["Spain", "Spanish", "Madrid"],
        "ja": ["スペイン", "マドリード"],
    },
    "CA": {
        "en": ["Canada", "Canadian", "Canadians", "Ottawa", "Ontario", "Quebec",
               "British Columbia", "Alberta"],
        "ja": ["カナダ", "オタワ", "日加"],
    },
    "MX": {
        "en": ["Mexico", "Mexican", "Mexico City"],
        "ja": ["メキシコ"],
    },
    "BR": {
        "en": ["Brazil", "Brazilian", "Brasilia", "Brasília", "São Paulo", "Sao Paulo"],
        "ja": ["ブラジル"],
    },
    "AR": {
        "en": ["Argentina", "Argentine", "Argentinian", "Buenos Aires"],
        "ja": ["アルゼンチン"],
    },
    "CL": {
        "en": ["Chile", "Chilean", "Atacama"],
        "ja": ["チリ", "アタカマ"],
    },
    "PE": {
        "en": ["Peru", "Peruvian"],
        "ja": ["ペルー"],
    },
    "BO": {
        "en": ["Bolivia", "Bolivian"],
        "ja": ["ボリビア"],
    },
    "CD": {
        "en": ["Democratic Republic of the Congo", "DR Congo", "DRC", "Congo", "Congolese",
               "Kinshasa", "Katanga"],
        "ja": ["コンゴ民主共和国", "コンゴ", "旧ザイール"],
    },
    "CG": {
        "en": ["Republic of the Congo", "Congo-Brazzaville", "Brazzaville"],
        "ja": ["コンゴ共和国"],
    },
    "ZA": {
        "en": ["South Africa", "South African", "Pretoria", "Johannesburg", "Cape Town"],
        "ja": ["南アフリカ", "南ア"],
    },
    "ID": {
        "en": ["Indonesia", "Indonesian", "Jakarta", "Sulawesi"],
        "ja": ["インドネシア", "ジャカルタ"],
    },
    "PH": {
        "en": ["Philippines", "Philippine", "Filipino", "Manila"],
        "ja": ["フィリピン", "マニラ", "日比"],
    },
    "VN": {
        "en": ["Vietnam", "Viet Nam", "Vietnamese", "Hanoi", "Ho Chi Minh City"],
        "ja": ["ベトナム", "ハノイ", "ホーチミン", "日越"],
    },
    "TH": {
        "en": ["Thailand", "Thai", "Bangkok"],
        "ja": ["タイ", "バンコク"],
    },
    "MY": {
        "en": ["Malaysia", "Malaysian", "Kuala Lumpur", "Penang"],
        "ja": ["マレーシア", "ペナン"],
    },
    "SG": {
        "en": ["Singapore", "Singaporean"],
        "ja": ["シンガポール"],
    },
    "SA": {
        "en": ["Saudi Arabia", "Saudi", "Saudis", "Riyadh", "KSA"],
        "ja": ["サウジアラビア", "サウジ"],
    },
    "AE": {
        "en": ["United Arab Emirates", "UAE", "Emirati", "Abu Dhabi", "Dubai"],
        "ja": ["アラブ首長国連邦", "UAE", "アブダビ", "ドバイ"],
    },
    "QA": {
        "en": ["Qatar", "Qatari", "Doha"],
        "ja": ["カタール"],
    },
    "IR": {
        "en": ["Iran", "Iranian", "Tehran"],
        "ja": ["イラン", "テヘラン"],
    },
    "IQ": {
        "en": ["Iraq", "Iraqi", "Baghdad"],
        "ja": ["イラク"],
    },
    "IL": {
        "en": ["Israel", "Israeli", "Tel Aviv"],
        "ja": ["イスラエル"],
    },
    "CI": {
        "en": ["Ivory Coast", "Ivorian", "Côte d'Ivoire", "Cote d'Ivoire", "Abidjan"],
        "ja": ["コートジボワール", "アビジャン"],
    },
    "TR": {
        "en": ["Turkey", "Türkiye", "Turkiye", "Turkish", "Ankara", "Istanbul"],
        "ja": ["トルコ", "アンカラ", "イスタンブール"],
    },
    "UA": {
        "en": ["Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev"],
        "ja": ["ウクライナ", "キーウ", "キエフ"],
    },
    "PL": {
        "en": ["Poland", "Polish", "Warsaw"],
        "ja": ["ポーランド"],
    },
    "BE": {
        "en": ["Belgium", "Belgian", "Antwerp"],
        "ja": ["ベルギー"],
    },
    "SE": {
        "en": ["Sweden", "Swedish", "Stockholm"],
        "ja": ["スウェーデン"],
    },
    "FI": {
        "en": ["Finland", "Finnish", "Helsinki"],
        "ja": ["フィンランド"],
    },
    "NO": {
        "en": ["Norway", "Norwegian", "Oslo"],
        "ja": ["ノルウェー"],
    },
    "DK": {
        "en": ["Denmark", "Danish", "Copenhagen"],
        "ja": ["デンマーク"],
    },
    "CH": {
        "en": ["Switzerland", "Swiss", "Zurich", "Bern"],
        "ja": ["スイス"],
    },
    "AT": {
        "en": ["Austria", "Austrian", "Vienna"],
        "ja": ["オーストリア"],
    },
    "CZ": {
        "en": ["Czech Republic", "Czechia", "Czech", "Prague"],
        "ja": ["チェコ"],
    },
    "HU": {
        "en": ["Hungary", "Hungarian", "Budapest"],
        "ja": ["ハンガリー"],
    },
    "GR": {
        "en": ["Greece", "Greek", "Athens"],
        "ja": ["ギリシャ"],
    },
    "PT": {
        "en": ["Portugal", "Portuguese", "Lisbon"],
        "ja": ["ポルトガル"],
    },
    "IE": {
        "en": ["Ireland", "Irish", "Dublin"],
        "ja": ["アイルランド"],
    },
    "NZ": {
        "en": ["New Zealand", "NZ"],
        "ja": ["ニュージーランド"],
    },
    "PK": {
        "en": ["Pakistan", "Pakistani", "Islamabad"],
        "ja": ["パキスタン"],
    },
    "BD": {
        "en": ["Bangladesh", "Bangladeshi", "Dhaka"],
        "ja": ["バングラデシュ"],
    },
    "LK": {
        "en": ["Sri Lanka", "Sri Lankan"],
        "ja": ["スリランカ"],
    },
    "MM": {
        "en": ["Myanmar", "Burma", "Burmese"],
        "ja": ["ミャンマー"],
    },
    "KH": {
        "en": ["Cambodia", "Cambodian"],
        "ja": ["カンボジア"],
    },
    "LA": {
        "en": ["Laos", "Lao PDR"],
        "ja": ["ラオス"],
    },
    "MN": {
        "en": ["Mongolia", "Mongolian", "Ulaanbaatar"],
        "ja": ["モンゴル"],
    },
    "KZ": {
        "en": ["Kazakhstan", "Kazakh", "Astana"],
        "ja": ["カザフスタン"],
    },
    "UZ": {
        "en": ["Uzbekistan", "Uzbek"],
        "ja": ["ウズベキスタン"],
    },
    "EG": {
        "en": ["Egypt", "Egyptian", "Cairo"],
        "ja": ["エジプト"],
    },
    "NG": {
        "en": ["Nigeria", "Nigerian", "Abuja", "Lagos"],
        "ja": ["ナイジェリア"],
    },
    "NE": {
        "en": ["Niger", "Nigerien", "Niamey"],
        "ja": ["ニジェール"],
    },
    "ML": {
        "en": ["Mali", "Malian", "Bamako"],
        "ja": ["マリ"],
    },
    "GN": {
        "en": ["Guinea", "Guinean", "Conakry", "Simandou"],
        "ja": ["ギニア共和国", "ギニア"],
    },
    "TD": {
        "en": ["Chadian", "N'Djamena"],
        "ja": [],
    },
    "JO": {
        "en": ["Jordanian", "Amman"],
        "ja": [],
    },
    "GE": {
        "en": ["Tbilisi"],
        "ja": [],
    },
    "ZM": {
        "en": ["Zambia", "Zambian", "Lusaka", "Copperbelt"],
        "ja": ["ザンビア"],
    },
    "ZW": {
        "en": ["Zimbabwe", "Zimbabwean", "Harare"],
        "ja": ["ジンバブエ"],
    },
    "MZ": {
        "en": ["Mozambique", "Mozambican"],
        "ja": ["モザンビーク"],
    },
    "MG": {
        "en": ["Madagascar", "Malagasy"],
        "ja": ["マダガスカル"],
    },
    "NA": {
        "en": ["Namibia", "Namibian"],
        "ja": ["ナミビア"],
    },
    "GA": {
        "en": ["Gabon", "Gabonese"],
        "ja": ["ガボン"],
    },
    "MA": {
        "en": ["Morocco", "Moroccan", "Rabat"],
        "ja": ["モロッコ"],
    },
    "KE": {
        "en": ["Kenya", "Kenyan", "Nairobi"],
        "ja": ["ケニア"],
    },
    "ET": {
        "en": ["Ethiopia", "Ethiopian", "Addis Ababa"],
        "ja": ["エチオピア"],
    },
    "TZ": {
        "en": ["Tanzania", "Tanzanian"],
        "ja": ["タンザニア"],
    },
    "VE": {
        "en": ["Venezuela", "Venezuelan", "Caracas"],
        "ja": ["ベネズエラ"],
    },
    "CO": {
        "en": ["Colombia", "Colombian", "Bogota", "Bogotá"],
        "ja": ["コロンビア"],
    },
    "CU": {
        "en": ["Cuba", "Cuban", "Havana"],
        "ja": ["キューバ"],
    },
    "HK": {
        "en": ["Hong Kong"],
        "ja": ["香港"],
    },
    "MO": {
        "en": ["Macau", "Macao"],
        "ja": ["マカオ"],
    },
    "SY": {
        "en": ["Syria", "Syrian", "Damascus"],
        "ja": ["シリア"],
    },
    "YE": {
        "en": ["Yemen", "Yemeni"],
        "ja": ["イエメン"],
    },
    "OM": {
        "en": ["Oman", "Omani"],
        "ja": ["オマーン"],
    },
    "KW": {
        "en": ["Kuwait", "Kuwaiti"],
        "ja": ["クウェート"],
    },
    "BH": {
        "en": ["Bahrain", "Bahraini"],
        "ja": ["バーレーン"],
    },
    "BY": {
        "en": ["Belarus", "Belarusian", "Minsk"],
        "ja": ["ベラルーシ"],
    },
    "RO": {
        "en": ["Romania", "Romanian", "Bucharest"],
        "ja": ["ルーマニア"],
    },
    "RS": {
        "en": ["Serbia", "Serbian", "Belgrade"],
        "ja": ["セルビア"],
    },
    "EE": {
        "en": ["Estonia", "Estonian", "Tallinn"],
        "ja": ["エストニア"],
    },
    "LT": {
        "en": ["Lithuania", "Lithuanian", "Vilnius"],
        "ja": ["リトアニア"],
    },
    "LV": {
        "en": ["Latvia", "Latvian", "Riga"],
        "ja": ["ラトビア"],
    },
    "SK": {
        "en": ["Slovakia", "Slovak"],
        "ja": ["スロバキア"],
    },
    "SI": {
        "en": ["Slovenia", "Slovenian"],
        "ja": ["スロベニア"],
    },
    "BG": {
        "en": ["Bulgaria", "Bulgarian"],
        "ja": ["ブルガリア"],
    },
    "HR": {
        "en": ["Croatia", "Croatian"],
        "ja": ["クロアチア"],
    },
    "IS": {
        "en": ["Iceland", "Icelandic"],
        "ja": ["アイスランド"],
    },
    "GL": {
        "en": ["Greenland"],
        "ja": ["グリーンランド"],
    },
    "AF": {
        "en": ["Afghanistan", "Afghan", "Kabul"],
        "ja": ["アフガニスタン"],
    },
    "NP": {
        "en": ["Nepal", "Nepalese"],
        "ja": ["ネパール"],
    },
    "BN": {
        "en": ["Brunei"],
        "ja": ["ブルネイ"],
    },
    "PG": {
        "en": ["Papua New Guinea"],
        "ja": ["パプアニューギニア"],
    },
    "PA": {
        "en": ["Panama", "Panamanian"],
        "ja": ["パナマ"],
    },
    "EC": {
        "en": ["Ecuador", "Ecuadorian"],
        "ja": ["エクアドル"],
    },
    "DZ": {
        "en": ["Algeria", "Algerian"],
        "ja": ["アルジェリア"],
    },
    "LY": {
        "en": ["Libya", "Libyan"],
        "ja": ["リビア"],
    },
    "TN": {
        "en": ["Tunisia", "Tunisian"],
        "ja": ["チュニジア"],
    },
    "AO": {
        "en": ["Angola", "Angolan"],
        "ja": ["アンゴラ"],
    },
    "GH": {
        "en": ["Ghana", "Ghanaian"],
        "ja": ["ガーナ"],
    },
    "RW": {
        "en": ["Rwanda", "Rwandan"],
        "ja": ["ルワンダ"],
    },
}
# fmt: on

# Japanese official-name suffixes; the short form is added when unambiguous.
_JA_SUFFIXES = (
    "民主共和国",
    "人民共和国",
    "連合共和国",
    "共和国",
    "合衆国",
    "連邦",
    "王国",
    "公国",
    "多民族国",
)
_PARENTHESISED = re.compile(r"\s*\(([^)]*)\)\s*")


def _japanese_names(name: str) -> list[str]:
    """pycountry's Japanese name, a trailing parenthesised alias, a suffix-less form.

    「大韓民国 (韓国)」 gives 「韓国」 too; qualifiers such as 「(仏領)」 are not
    names, and 「ココス (キーリング) 諸島」 reads as 「ココス諸島」.
    """
    names = [_PARENTHESISED.sub("", name).strip()]
    match = _PARENTHESISED.search(name)
    if match and name.endswith(")") and not match.group(1).endswith("領"):
        names.append(match.group(1).strip())
    for candidate in list(names):
        for suffix in _JA_SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) - len(suffix) >= 2:
                names.append(candidate[: -len(suffix)].rstrip("・"))
                break
    return names


def _pycountry_names(japanese: gettext.NullTranslations) -> dict[str, dict[str, set[str]]]:
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"en": set(), "ja": set()})
    for country in pycountry.countries:
        code = country.alpha_2
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            # "Korea, Republic of" style names are catalogue entries, not prose;
            # "(Dutch part)" qualifiers are not names.
            if value and "," not in value:
                names[code]["en"].add(value.split(" (")[0].removeprefix("the "))
        names[code]["ja"].update(_japanese_names(japanese.gettext(country.name)))
    return names


def _term(text: str) -> str | dict[str, Any]:
    text, _, weight = text.partition("|")
    if text in CASE_SENSITIVE:
        data: dict[str, Any] = {"term": text, "case_sensitive": True}
        if weight:
            data["weight"] = float(weight)
        return data
    return {"term": text, "weight": float(weight)} if weight else text


def build_countries() -> list[dict[str, Any]]:
    """The ``countries`` section: one entry per ISO alpha-2 code, sorted."""
    japanese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    generated = _pycountry_names(japanese)

    # A generated name claimed by two countries names neither (curated ones win).
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, by_lang in generated.items():
        for lang, names in by_lang.items():
            for name in names:
                owners[(lang, name.casefold())].add(code)
    curated_names = {
        (lang, name.partition("|")[0].casefold())
        for by_lang in CURATED.values()
        for lang, names in by_lang.items()
        for name in names
    }

    countries = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        curated = CURATED.get(code, {"en": [], "ja": []})
        terms: dict[str, list[str | dict[str, Any]]] = {}
        for lang in ("en", "ja"):
            chosen: list[str] = list(dict.fromkeys(curated.get(lang, [])))
            for name in sorted(generated[code][lang]):
                key = (lang, name.casefold())
                if (
                    name in SKIPPED_NAMES
                    or len(name) < 2
                    or key in curated_names
                    or len(owners[key]) > 1
                ):
                    continue
                chosen.append(name)
            if lang == "ja" and code in PREFIX_ABBREVIATIONS:
                chosen.extend(_prefixed(PREFIX_ABBREVIATIONS[code]))
            terms[lang] = [_term(name) for name in chosen]
        ja_label = _japanese_names(japanese.gettext(country.name))[-1]
        countries.append(
            {
                "slug": code,
                "en": getattr(country, "common_name", None) or country.name,
                "ja": curated["ja"][0] if curated.get("ja") else ja_label,
                "terms": terms,
            }
        )
    return countries


def _prefixed(kanji: str) -> list[str]:
    katakana = [chr(cp) for cp in range(0x30A1, 0x30FB)]
    latin = [chr(cp) for cp in range(ord("A"), ord("Z") + 1)]
    return [kanji + letter for letter in katakana + latin]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)

    data = json.loads(args.path.read_text(encoding="utf-8"))
    updated = {**data, "countries": build_countries()}
    text = json.dumps(updated, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        current = args.path.read_text(encoding="utf-8")
        return 0 if current == text else 1
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
