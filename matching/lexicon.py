"""What a coordinator knows without being told: the words people use for each kind of help,
which wards touch, which kinds of help work from anywhere, and how Japanese requests mark
what matters most.

The vocabulary is written from how people ask for and offer help in Japanese, not lifted
from any evaluation set: each offer has its everyday words, the things it implies (a light
truck implies delivery, a hall implies a venue) and the professions that carry it.
Patterns are regular expressions searched in NFKC-normalised text (full-width letters and
digits become ASCII, half-width katakana become full-width)."""

from __future__ import annotations

import re
from typing import Final

# --- offers -----------------------------------------------------------------------------

VENUE: Final = "会場提供"
DELIVERY: Final = "配送"
TRANSPORT: Final = "送迎"
HANDS: Final = "人手"
GOODS: Final = "物資提供"
MONEY: Final = "寄付"
PUBLICITY: Final = "広報"
TRANSLATION: Final = "翻訳"
IT: Final = "IT支援"
EXPERTISE: Final = "専門知識"
COOKING: Final = "調理"

OFFER_TAGS: Final[tuple[str, ...]] = (
    VENUE,
    DELIVERY,
    TRANSPORT,
    HANDS,
    GOODS,
    MONEY,
    PUBLICITY,
    TRANSLATION,
    IT,
    EXPERTISE,
    COOKING,
)

# Help that does not depend on where the helper lives.
REMOTE_OFFERS: Final = frozenset({PUBLICITY, IT, TRANSLATION, MONEY})

# English names, for reasons shown on English pages.
OFFER_NAMES_EN: Final = {
    VENUE: "venue",
    DELIVERY: "delivery",
    TRANSPORT: "transport of people",
    HANDS: "helping hands",
    GOODS: "goods",
    MONEY: "donations",
    PUBLICITY: "publicity",
    TRANSLATION: "translation",
    IT: "IT support",
    EXPERTISE: "expert knowledge",
    COOKING: "cooking",
}

_FOOD = r"(?:弁当|食事|料理|おかず|ご飯|ごはん|炊き出し|食べ物|食品|給食|軽食|お菓子|パン|豚汁|カレー)"

# Specific kinds of help. Order matters only for reading; every pattern is tried.
_SPECIFIC: Final[dict[str, tuple[str, ...]]] = {
    VENUE: (
        r"会場",
        r"スペース",
        r"場所を(?:貸|提供|お借り|借り|使わせ|使え|用意)",
        r"(?:貸して|使わせて|お借りでき|借りられ|開放して)(?:いただけ|くださ|もらえ)?.{0,6}(?:場|所|部屋|店|方)",
        r"(?:集会所|公民館|会議室|ホール|空き教室|教室を|体育館|グラウンド|空き店舗|空き家|軒先|ガレージ|倉庫|広間|座敷|店舗の一角|フロア|拠点となる|たまり場|部屋を)",
        r"(?:場|部屋|店|所)を(?:貸|開放|提供)",
        r"(?:でき|使え|借りられ|集まれ)る(?:場所|場|部屋|スペース)",
        r"場所(?:を|が)(?:探|募|求|必要|あれば|ほしい|欲しい|見つか|ない|なく|足り)",
        r"拠点",
        r"(?:お貸し|貸し出し)でき",
        r"開放でき",
    ),
    DELIVERY: (
        r"配達",
        r"配送",
        r"宅配",
        r"届け(?:て|る|られ|ていただ|てくれ|てくださ)",
        r"お届け",
        r"運(?:ん|べ|ぶ|び)",
        r"配って",
        r"配り",
        r"(?:各家庭|自宅|家|戸別|玄関先)(?:まで|へ|に)(?:の)?(?:配|届|お届)",
        r"運搬",
        r"輸送",
        r"搬送",
        r"運送",
        r"持って(?:行|い)って",
        r"軽トラ",
        r"トラック",
        r"(?:車|バイク|自転車)で(?:運|配|届|回)",
        r"物資を運",
        r"積んで",
    ),
    TRANSPORT: (
        r"送迎",
        r"送り迎え",
        r"送り届け",
        r"移動の足",
        r"移動手段",
        r"移動(?:を)?(?:支援|サポート|手伝)",
        r"乗せて",
        r"連れて(?:行|い)",
        r"迎えに",
        r"乗り合",
        r"(?:付き添い|つきそい)",
        r"運転",
        r"ドライバー",
        r"(?:福祉|ワゴン|[0-9]+人乗り)(?:の)?車",
        r"車を出",
        r"通院",
        r"(?:会場|病院|駅|自宅)まで(?:の)?(?:移動|送|乗)",
        r"外出(?:の)?(?:支援|付き添い|サポート)",
        r"足が(?:ない|なく)",
    ),
    GOODS: (
        r"物資",
        r"備品",
        r"譲って",
        r"お譲り",
        r"譲れ",
        r"寄贈",
        r"現物",
        r"提供(?:品|物)",
        r"(?:食材|食料|食品|日用品|衣類|衣料|文房具|文具|おもちゃ|玩具|絵本|本を|学用品|マスク|消毒液|衛生用品|生理用品|紙おむつ|おむつ|米|野菜|果物|飲み物|飲料|タオル|毛布|机|椅子|テント|パソコンを|タブレットを|楽器|用具|道具|資材|材料|景品|賞品)(?:を|の|や|など)?(?:ご)?(?:提供|寄付|寄贈|お分け|分けて|譲|差し入れ|いただけ|くださ|集め|ご用意|用意)",
        r"(?:提供|寄付|寄贈|お分け|分けて|譲って)(?:いただけ|くださ|もらえ)?.{0,4}(?:食材|食料|食品|日用品|衣類|文房具|おもちゃ|マスク|消毒液|衛生用品|物|品)",
        r"使わなくなった",
        r"使っていない",
        r"古着|おさがり|お下がり|中古",
        r"余って(?:いる|る)",
        r"不用品",
        r"在庫",
        r"差し入れ(?:の品|品)",
        r"(?:品物|モノ)(?:の)?(?:提供|支援)",
        r"フードドライブ",
    ),
    MONEY: (
        r"寄付",
        r"寄附",
        r"募金",
        r"協賛",
        r"資金",
        r"費用",
        r"経費",
        r"お金",
        r"金銭",
        r"支援金",
        r"助成",
        r"出資",
        r"スポンサー",
        r"クラウドファンディング",
        r"カンパ",
        r"財政",
        r"財源",
        r"運営費",
        r"活動費",
        r"(?:材料|会場|送料|印刷)(?:費|代)",
        r"金額",
        r"ご支援(?:金)?をいただ",
    ),
    PUBLICITY: (
        r"広報",
        r"拡散",
        r"告知",
        r"宣伝",
        r"周知",
        r"PR",
        r"チラシ",
        r"ビラ",
        r"ポスター",
        r"メディア",
        r"新聞",
        r"テレビ",
        r"ラジオ",
        r"情報誌",
        r"広報誌",
        r"(?:地域|タウン|フリー)(?:紙|誌|ペーパー)",
        r"取材",
        r"記事",
        r"掲示",
        r"掲載",
        r"載せ",
        r"SNS",
        r"フォロワー",
        r"発信",
        r"広め",
        r"広く(?:知|伝)",
        r"知らせ",
        r"知って(?:もら|いただ)",
        r"知られて",
        r"口コミ",
        r"紹介して",
        r"(?:呼びかけ|呼び掛け)",
        r"集客",
        r"人を集め",
        r"参加者(?:を)?(?:集め|募)",
        r"目に(?:留|と)ま",
    ),
    TRANSLATION: (
        r"翻訳",
        r"通訳",
        r"多言語",
        r"外国語",
        r"(?:英|中国|韓国|ベトナム|ネパール|ポルトガル|スペイン|タガログ|フィリピン|インドネシア|タイ|ミャンマー|フランス|ドイツ|ロシア)語",
        r"やさしい日本語",
        r"言葉の壁",
        r"訳して",
        r"訳せ",
        r"語学",
        r"母国語",
        r"ネイティブ",
        r"バイリンガル",
    ),
    IT: (
        r"(?<![A-Za-z])IT(?![A-Za-z])",
        r"LINE",
        r"ICT",
        r"オンライン(?:会議|配信|化|で|の|交流|ミーティング|授業|相談|販売|ショップ)",
        r"Zoom|ズーム|Teams|Meet",
        r"ウェブ|Web|WEB|web",
        r"ホームページ",
        r"HP",
        r"サイト",
        r"ネットショップ",
        r"通販",
        r"EC",
        r"パソコン|PC",
        r"タブレット",
        r"スマホ|スマートフォン",
        r"アプリ",
        r"システム",
        r"デジタル",
        r"プログラ",
        r"エンジニア",
        r"ネット(?:ワーク|環境|接続|予約|で|の|注文)",
        r"インターネット",
        r"Wi-?Fi",
        r"(?:ライブ|動画)?配信",
        r"予約(?:の)?(?:仕組み|受付|フォーム)",
        r"フォーム",
        r"データ",
        r"機器",
        r"(?:初期|接続|機器の|通信)設定",
    ),
    EXPERTISE: (
        r"専門",
        r"資格",
        r"助言",
        r"アドバイス",
        r"監修",
        r"ノウハウ",
        r"知見",
        r"(?:看護|医療|医師|保健|薬剤|栄養|介護|福祉|法律|法的|税|会計|経理|労務|心理|カウンセ|教育|教員|保育|リハビリ|防災|建築|デザイン|デザイナー|イラスト|写真|カメラ|映像|編集|印刷|経営|マーケティング)",
        r"(?:弁護士|司法書士|行政書士|税理士|社労士|社会保険労務士|会計士|医師|看護師|保健師|薬剤師|栄養士|管理栄養士|保育士|介護福祉士|社会福祉士|ケアマネ|ケアマネジャー|理学療法士|作業療法士|臨床心理士|公認心理師|教師|教員|講師|塾講師|コーチ|指導者|インストラクター|トレーナー|デザイナー|カメラマン|建築士|技術者)",
        r"(?:教え|指導|講習|研修|勉強会|相談に(?:乗|の|応))",
        r"(?:教え方|見せ方|伝え方|進め方|やり方)",
        r"詳しい",
        r"知識",
        r"経験(?:豊富|のある|をお持ち)",
        r"プロ(?:の|として|に)",
        r"健康管理",
        r"感染(?:対策|予防)(?:の|について|に詳)",
    ),
    COOKING: (
        r"調理",
        r"料理",
        r"炊き出し",
        r"厨房",
        r"仕込み",
        r"献立",
        r"(?:大量|集団)調理",
        r"調理師",
        _FOOD + r"(?:を|の)?(?:作|つく|づく|こしら|用意し|準備し|詰め)",
        r"(?:作|つく)って(?:いただ|くださ|もらえ|くれ).{0,6}" + _FOOD,
        r"食事(?:の)?(?:準備|支度|提供)",
        r"キッチン",
        r"台所",
    ),
}

# Plain "helping hands": only when nothing more specific was asked for in the same clause.
_HANDS: Final[tuple[str, ...]] = (
    r"人手",
    r"ボランティア",
    r"お手伝い",
    r"手伝(?:って|い|え|う)",
    r"手を貸",
    r"手が足りな",
    r"人が足りな",
    r"人数が足りな",
    r"人員",
    r"担い手",
    r"マンパワー",
    r"スタッフ",
    r"運営(?:に|を)?(?:関わ|協力|手伝|支え|担)",
    r"一緒に(?:活動|動|作業|運営)",
    r"力仕事",
    r"現場で",
    r"当日(?:の)?(?:運営|手伝|お手伝|協力|人)",
    r"作業(?:を|に)?(?:手伝|協力|して)",
    r"(?:仲間|メンバー)(?:を|が|に|と)",
    r"(?:人|方々?)(?:に)?(?:来て|集まって|加わって|参加して)",
    r"見守り(?:活動)?(?:に|を)?(?:参加|協力)",
    r"汗を流",
    r"動ける(?:人|方)",
)

OFFER_PATTERNS: Final[dict[str, tuple[re.Pattern[str], ...]]] = {
    tag: tuple(re.compile(p) for p in patterns) for tag, patterns in _SPECIFIC.items()
}
HANDS_PATTERNS: Final[tuple[re.Pattern[str], ...]] = tuple(re.compile(p) for p in _HANDS)

# Some words name a kind of help only in passing: "詳しい" and "知識" make 専門知識 a
# secondary reading when a more specific kind is also named ("ホームページ作りに詳しい方").
WEAK_WHEN_OTHERS: Final = frozenset({EXPERTISE})

# --- how requests are phrased -------------------------------------------------------------

# A sentence asks for something when it has one of these.
REQUEST = re.compile(
    r"探して|さがして|募集|募って|求めて|求む|必要(?:です|とし|となり|になり|だ|で、|なの|な(?:人|方|のは))|が必要|お願い|困って|見つからな|頼め|頼み|助かり|助かる|助かれ|"
    r"心強い|ありがたい|有り難い|ありがたく|嬉しい|うれしい|ほしい|欲しい|"
    r"希望し|望んで|期待し|足りな|足りません|不足|集めて|ください|下さい|もらいたい|いただきたい|頂きたい|いれば|あれば|いません|おりません|"
    r"いただけ(?:る|ません|ないでしょう|れば)|くださる方|くださいませんか|くれる方|"
    r"もらえる|もらえません|できる方|いただける方|お力添え|ご協力を|ご支援を|手を挙げ|"
    r"見つかる|見つけ|待って|お待ち|いないでしょうか|ないでしょうか|ませんか|"
    r"募り|募ります|歓迎|いただけたら|頂けたら|もらえたら|くれたら|求めます|頼りに"
)
# The most important thing asked for.
MAIN_MARKER = re.compile(
    r"何より|なにより|いちばん|一番|特に|とくに|とりわけ|最も|もっとも|まず|第一に|"
    r"中でも|なかでも|一番の|最大の|急ぎ|至急|切実|喫緊|どうしても|最優先|真っ先|肝心|欠かせ|不可欠|中心となる|主に必要"
)
# Something asked for besides.
EXTRA_MARKER = re.compile(
    r"あわせて|併せて|合わせて|さらに|更に|できれば|可能であれば|可能なら|もし|加えて|それと|"
    r"それから|ほかに|他に|また、|あと、|余裕があれば|欲を言えば|ついでに|ゆくゆく|"
    r"将来的|いずれ|も(?:探して|募集|見つか|お願い|いれば|あれば|歓迎|助かり|求め)"
)
# Clauses that say something is already taken care of ("配達は自分たちの車で回れます").
COVERED = re.compile(
    r"自分たちで|自前で|私たちで|自力で|すでに|既に|確保(?:済|でき|して)|決まって|"
    r"ことになりました|まかなえ|賄え|足りて|問題ない|心配ない|不要|必要ありません|"
    r"必要ない|いりません|要りません|間に合って|ご好意で|分けていただいて|"
    r"協力してもらって|手配済|用意でき(?:てい|まし)"
)
# Generic closings that ask for nothing in particular.
CLOSING = re.compile(
    r"お力を貸して|関心をお持ちの方|お待ちしています|お待ちしております|よろしくお願い|"
    r"ご協力いただける方がいれば|一緒に取り組んで|ご連絡ください|お声がけください"
)

# --- time -----------------------------------------------------------------------------------

AVAILABILITY_CODES: Final = ("anytime", "weekdays", "weekends", "evenings")

# (pattern, availability the text asks for). "Any" matches everyone.
TIME_CUES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(p), code)
    for p, code in (
        (r"曜日(?:や時間帯)?(?:は|を)?問いません|いつでも|日時は(?:ご都合|相談)|ご都合に合わせ|時間帯は問", "anytime"),
        (r"夜|夕方|夕刻|仕事帰り|仕事の後|仕事のあと|終業後|放課後|日没|[1-2][0-9]時以降", "evenings"),
        (r"土日|週末|土曜|日曜|休日|祝日|休みの日", "weekends"),
        (r"平日|月曜|火曜|水曜|木曜|金曜|日中|昼間|午前|午後", "weekdays"),
    )
)

# --- place ----------------------------------------------------------------------------------

WARDS: Final = (
    "higashinada",
    "nada",
    "chuo",
    "hyogo",
    "kita",
    "nagata",
    "suma",
    "tarumi",
    "nishi",
)
CITYWIDE: Final = "citywide"

WARD_NAMES_JA: Final = {
    "higashinada": "東灘区",
    "nada": "灘区",
    "chuo": "中央区",
    "hyogo": "兵庫区",
    "kita": "北区",
    "nagata": "長田区",
    "suma": "須磨区",
    "tarumi": "垂水区",
    "nishi": "西区",
    "citywide": "市内全域",
}

# Kobe's wards that share a boundary.
_BORDERS: Final = (
    ("higashinada", "nada"),
    ("higashinada", "kita"),
    ("nada", "chuo"),
    ("nada", "kita"),
    ("chuo", "hyogo"),
    ("chuo", "kita"),
    ("hyogo", "kita"),
    ("hyogo", "nagata"),
    ("kita", "nagata"),
    ("kita", "suma"),
    ("kita", "nishi"),
    ("nagata", "suma"),
    ("suma", "tarumi"),
    ("suma", "nishi"),
    ("tarumi", "nishi"),
)
ADJACENT: Final[dict[str, frozenset[str]]] = {
    ward: frozenset({b for a, b in _BORDERS if a == ward} | {a for a, b in _BORDERS if b == ward})
    for ward in WARDS
}

# Words in an introduction that say the person goes anywhere in the city.
GOES_ANYWHERE = re.compile(r"市内(?:の)?(?:どこ|全域|各地|一円)|どこへでも|どこでも伺|出張")
# Words that say the person is busy right now.
BUSY_NOW = re.compile(r"手一杯|手いっぱい|余裕がな|落ち着いたら|しばらく(?:は)?難し|今は(?:忙|難)")

# --- topics ------------------------------------------------------------------------------

# What a proposal is about, for "has done this before" reasons. Each topic is a set of
# ways of saying it; a topic counts when a proposal and an introduction both say it.
_TOPICS: Final[dict[str, tuple[str, ...]]] = {
    "見守り": (r"見守り", r"声かけ", r"声掛け", r"安否確認", r"訪問", r"孤立", r"ひとり暮らし", r"一人暮らし", r"独居"),
    "高齢者": (r"高齢", r"お年寄り", r"シニア", r"老人", r"年配", r"介護", r"デイサービス", r"入居者", r"施設で暮らす"),
    "子育て": (r"子育て", r"親子", r"乳幼児", r"赤ちゃん", r"ママ", r"パパ", r"保育", r"児童館", r"子育てひろば"),
    "子ども": (r"子ども", r"子供", r"こども", r"児童", r"小学生", r"中学生", r"休校"),
    "食支援": (r"子ども食堂", r"こども食堂", r"食料支援", r"フードバンク", r"フードドライブ", r"食事支援", r"炊き出し", r"配食", r"食品の配布", r"弁当"),
    "買い物": (r"買い物", r"買物", r"代行", r"御用聞き"),
    "医療": (r"医療従事者", r"病院", r"看護", r"医療", r"差し入れ", r"ワクチン"),
    "衛生": (r"マスク", r"消毒", r"衛生用品", r"感染対策", r"感染予防"),
    "慰問": (r"慰問", r"演奏", r"コンサート", r"お手紙", r"手紙", r"面会"),
    "外国": (r"外国", r"留学生", r"技能実習", r"多文化", r"国際", r"ルーツ", r"日本語"),
    "就労": (r"就労", r"作業所", r"授産", r"障がい", r"障害", r"福祉施設", r"雇用"),
    "学生": (r"大学生", r"学生", r"アルバイト", r"奨学", r"家賃"),
    "学習": (r"学習", r"勉強", r"宿題", r"塾", r"教え", r"授業"),
    "飲食店": (r"飲食店", r"テイクアウト", r"持ち帰り", r"お店", r"商店", r"店舗", r"デリバリー", r"時短営業"),
    "商店街": (r"商店街", r"スタンプラリー", r"地元のお店", r"まち歩き", r"マルシェ", r"市場"),
    "スポーツ": (r"スポーツ", r"運動", r"体操", r"サッカー", r"野球", r"ダンス", r"教室"),
    "文化": (r"文化", r"音楽", r"芸術", r"アート", r"演劇", r"展示", r"文化祭", r"祭り", r"伝統"),
    "オンライン": (r"オンライン", r"リモート", r"配信", r"Zoom", r"ビデオ通話"),
    "防災": (r"防災", r"災害", r"避難", r"震災", r"備蓄"),
    "交流": (r"交流", r"居場所", r"サロン", r"集い", r"つながり", r"サークル"),
    "販売": (r"販売", r"販売会", r"売上", r"製品", r"物販", r"バザー"),
}
TOPIC_ANY: Final[dict[str, re.Pattern[str]]] = {
    topic: re.compile("|".join(patterns)) for topic, patterns in _TOPICS.items()
}
# Sentences in an introduction that tell experience or interest, rather than an offer.
EXPERIENCE = re.compile(
    r"関わって(?:き|い)|関わりました|経験して|経験があ|経験しています|手伝っていました|"
    r"参加しました|続けて|携わ|取り組んで|運営して|立ち上げ|年ほど|以前|昨年|これまで"
)
INTEREST = re.compile(r"関心があ|興味があ|関わってみたい|やってみたい|挑戦したい")
