"""Word lists for the generator: names from many places, companies, tags, phone regions, search terms.

Weights are chosen so the benchmark's search terms land where the issue needs them on the big
sub-account: a common term (~15% of contacts), a mid one (~1%), a rare one (a handful of rows) and
an absent one. The runner counts the real matches and prints them next to the timings.
"""


def _words(text: str) -> list[str]:
    return text.split()


# (display form, ASCII form for the email local part; None = derive it by stripping accents)
FIRST_NAMES: list[tuple[str, str | None]] = [
    (name, None)
    for name in _words(
        "Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Isabella Lucas Mia Mateo Charlotte Levi Ava James "
        "Harper Benjamin Evelyn Henry Abigail Alexander Emily Michael Elizabeth Daniel Sofia William Ella "
        "Jacob Madison Jackson Scarlett Sebastian Victoria Jack Aria Aiden Grace Owen Chloe Samuel Camila "
        "Matthew Penelope Joseph Riley John Layla David Lillian Wyatt Nora Carter Zoey Julian Mila Luke "
        "Aubrey Grayson Hannah Isaac Lily Jayden Addison Theodore Eleanor Gabriel Natalie Anthony Allison "
        "Dylan Savannah Jason Audrey Robert Brooklyn Joshua Claire Andrew Skylar Ryan Paisley Nathan Anna "
        "María José Lucía Sofía Martín Hugo Álvaro Marta Pablo Javier Elena Carmen Diego Valentina Mateus "
        "João Ana Beatriz Gabriela Rafael Thiago Larissa Léa Chloé Manon Théo Louis Inès Gabriel Jules "
        "Camille Zoë Mathéo Lukas Leon Finn Jonas Maximilian Felix Hannah Lena Jürgen Sören Björn Günther "
        "Anneliese Giulia Marco Francesco Alessandro Chiara Federica Matteo Lars Ingrid Sven Astrid Freja "
        "Søren Magnus Linnéa Åsa Łukasz Małgorzata Wojciech Agnieszka Katarzyna Piotr Zofia Tomasz Ümit "
        "Ayşe Mehmet Elif Emre Zeynep Çağla Mohamed Fatima Ahmed Aisha Omar Layla Youssef Yasmin Hassan "
        "Priya Rahul Ananya Arjun Aditya Kavya Rohan Sneha Vikram Zanele Thabo Kwame Ama Chidi Ngozi "
        "Oluwaseun Amara Tendai Wei Mei Jun Yuki Haruto Sakura Hiroshi Minjun Seoyeon Ji-woo Nguyễn Linh "
        "Thanh Dmitri Olga Ivan Natalia Sergei Anastasia Nikos Eleni Dimitris Aoife Siobhan Niamh Seán "
        "Cillian Eoin"
    )
] + [
    ("Алексей", "aleksei"),
    ("Мария", "maria"),
    ("Ελένη", "eleni"),
    ("محمد", "mohammed"),
    ("אורי", "uri"),
    ("प्रिया", "priya"),
]

# Family names with a weight (relative frequency). "son" names are common on purpose (the common term),
# Smith is about 1% (the mid term), Vukovic a few in a million (the rare term).
_LAST_NAME_WEIGHTS = {
    # common, ~20 each
    "Johnson": 20,
    "Anderson": 20,
    "Wilson": 20,
    "Thompson": 20,
    "Jackson": 20,
    "Williams": 20,
    "Brown": 20,
    "Jones": 20,
    "Garcia": 20,
    "Miller": 20,
    "Davis": 20,
    "Rodriguez": 20,
    "Martinez": 18,
    "Hernandez": 18,
    "Lopez": 18,
    "Robinson": 15,
    "Smith": 15,
    "Müller": 12,
    "Schmidt": 12,
    "Nguyen": 12,
    "Kim": 12,
    "Patel": 12,
    "Singh": 12,
    "Wang": 12,
    "Li": 12,
    "Zhang": 12,
    "Silva": 12,
    "Santos": 12,
    "Rossi": 10,
    "Dubois": 10,
}
for _name in _words(
    "Nelson Carlson Harrison Davidson Larsson Eriksson Nilsson Gibson Hudson Watson Simpson Ferguson "
    "Richardson Peterson Hansen Olsen Jensen Taylor Moore Martin Lee White Harris Clark Lewis Walker Young "
    "Allen King Wright Scott Torres Hill Green Adams Baker Gonzalez Campbell Mitchell Roberts Carter Phillips "
    "Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Reed Bailey Bell "
    "Kelly Howard Ward Cox Diaz Wood Brooks Bennett Gray James Reyes Cruz Hughes Price Myers Long Foster "
    "Sanders Ross Morales Powell Sullivan Russell Ortiz Jenkins Gutierrez Perry Butler Barnes Fisher "
    "Henderson Coleman Tanaka Sato Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Sharma Gupta Khan Haddad "
    "Mensah Dlamini Okafor Adeyemi Mwangi Chen Liu Yang Huang Zhao Wu Zhou Park Choi Jung Kang Cho Fischer "
    "Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann "
    "Lefèvre Moreau Laurent Lefebvre Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Bianchi "
    "Romano Colombo Ricci Marino Greco Bruno Gallo Conti Esposito Ferrari Johansson Karlsson Andersson "
    "Lindberg Novak Kowalski Nowak Wiśniewski Wójcik Kowalczyk Kamińska Lewandowski Zieliński Szymański "
    "Dvořák Černý Horváth Nagy Tóth Kovács Szabó Öztürk Yılmaz Kaya Demir Şahin Çelik Yıldız Aydın Popescu "
    "Ionescu Petrov Ivanov Smirnov Kuznetsov Popov Sokolov Papadopoulos Georgiou O'Brien O'Connor "
    "McCarthy Byrne Ryan Gallagher Doyle Kennedy Núñez Jiménez Álvarez Muñoz Romero Navarro Domínguez "
    "Gil Vázquez Serrano Ramos Blanco Suárez Molina Ortega Delgado Castro Pereira Oliveira Costa Rodrigues "
    "Almeida Nascimento Lima Araújo Fernandes Carvalho Gomes Martins Rocha Ribeiro Søndergaard Håkansson "
    "Bergström Lindqvist Nyström Sjöberg Virtanen Korhonen Mäkinen Nieminen Hämäläinen"
):
    _LAST_NAME_WEIGHTS.setdefault(_name, 3)
# Rare on purpose: a handful of rows among half a million.
_LAST_NAME_WEIGHTS["Vukovic"] = 0.03
_LAST_NAME_WEIGHTS["Quintanilla-Brandt"] = 0.05

LAST_NAMES: list[tuple[str, float]] = list(_LAST_NAME_WEIGHTS.items())

# Whole names in non-Latin scripts (family name first where that is the custom), with an ASCII email form.
NON_LATIN_FULL_NAMES: list[tuple[str, str]] = [
    ("王伟", "wang.wei"),
    ("李娜", "li.na"),
    ("张敏", "zhang.min"),
    ("佐藤 健", "ken.sato"),
    ("山田 花子", "hanako.yamada"),
    ("김민준", "minjun.kim"),
    ("이서연", "seoyeon.lee"),
    ("Αλέξανδρος Παπαδόπουλος", "alexandros.papadopoulos"),
    ("Дмитрий Иванов", "dmitry.ivanov"),
    ("Ольга Смирнова", "olga.smirnova"),
    ("محمد علي", "mohamed.ali"),
    ("राहुल शर्मा", "rahul.sharma"),
    ("สมชาย ใจดี", "somchai.jaidee"),
]
NON_LATIN_SHARE = 0.02

# Letters that accent stripping (NFKD) does not reduce to ASCII.
TRANSLITERATION = str.maketrans({"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "đ": "d", "þ": "th", "ı": "i", "'": ""})

MAIL_DOMAINS = [
    ("gmail.com", 30),
    ("yahoo.com", 8),
    ("outlook.com", 8),
    ("hotmail.com", 6),
    ("icloud.com", 5),
    ("proton.me", 2),
    ("gmx.de", 3),
    ("web.de", 2),
    ("orange.fr", 2),
    ("libero.it", 1),
    ("uol.com.br", 1),
    ("qq.com", 1),
    ("naver.com", 1),
]
COMPANY_MAIL_SHARE = 0.3  # the rest use a mail provider

_COMPANY_HEADS = _words(
    "Blue River North Star Bright Iron Silver Green Summit Harbor Maple Granite Pioneer Atlas Crescent "
    "Evergreen Falcon Horizon Lumen Nimbus Orchid Quartz Redwood Sierra Tidal Vertex Willow Zenith Aurora Beacon"
)
_COMPANY_TAILS = ["Labs", "Logistics", "Foods", "Studio", "Health", "Systems", "Retail", "Partners", "Works", "Group"]
_COMPANY_FORMS = ["Inc.", "GmbH", "Ltd", "SAS", "S.A.", "LLC", "AB", "BV", ""]
COMPANIES: list[str] = [
    " ".join(part for part in (head, tail, _COMPANY_FORMS[(index * 7 + offset) % len(_COMPANY_FORMS)]) if part)
    for index, head in enumerate(_COMPANY_HEADS)
    for offset, tail in enumerate(_COMPANY_TAILS)
]
PLANS = [("free", 45), ("starter", 25), ("pro", 20), ("enterprise", 10)]
SIGNUP_SOURCES = ["web", "app", "import", "referral", "event"]

# Tags every sub-account uses, with the share of contacts carrying each.
COMMON_TAGS = [("newsletter", 0.30), ("customer", 0.25), ("lead", 0.15), ("support", 0.12), ("vip", 0.10)]
MID_TAGS = [
    ("churn-risk", 0.03),
    ("event-attendee", 0.025),
    ("wholesale", 0.02),
    ("referral", 0.02),
    ("partner", 0.015),
    ("beta", 0.01),
]
RARE_TAGS = [("investor", 0.001), ("press", 0.0008), ("board", 0.0002)]
# Each sub-account also has a few tags of its own, picked from these.
TENANT_TAG_POOL = [
    f"{kind}-{year}-{season}"
    for kind in ("campaign", "webinar", "promo", "survey")
    for year in (2023, 2024, 2025)
    for season in ("spring", "summer", "autumn", "winter")
]
TENANT_TAGS_PER_ACCOUNT = 6

# Phone regions; each sub-account reads national numbers in one of them.
PHONE_REGIONS = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "BR", "MX", "IN", "AU", "JP", "ZA", "NG"]
PHONE_SHARE = 0.85
HOME_REGION_SHARE = 0.7  # the rest of the phones come from anywhere
EMAIL_SHARE = 0.92

CHANNELS = [("email", 35), ("whatsapp", 25), ("web_chat", 20), ("sms", 12), ("voice", 5), ("other", 3)]
SUBJECTS = [
    "",
    "",
    "Order status",
    "Refund request",
    "Question about pricing",
    "Cannot log in",
    "Delivery delayed",
    "Invoice copy",
    "Upgrade to pro",
    "Feedback",
]
INBOUND_BODIES = [
    "Hi, where is my order?",
    "Can I change the delivery address?",
    "The app says my card was declined.",
    "Thanks, that worked!",
    "Could you send me the invoice again?",
    "Hola, ¿tienen envío a Valencia?",
    "Bonjour, je voudrais annuler ma commande.",
    "Is there a discount for teams of 20?",
]
OUTBOUND_BODIES = [
    "Thanks for reaching out, let me check that for you.",
    "Your order shipped today; here is the tracking link.",
    "I have issued the refund, it will show in 3–5 days.",
    "Could you confirm the email on your account?",
    "Happy to help! Anything else?",
]

# Search terms measured by the runner (lowercase; the API is case-insensitive).
SEARCH_TERMS = {
    "common": "son",
    "mid": "smith",
    "rare": "vukovic",
    "absent": "qzxv",
    "two_characters": "jo",
}
# Several words, any order, any field, accents ignored (the staff pages' search, issue 16).
MULTI_WORD_SEARCH_TERMS = {
    "two_names": "smith john",
    "name_and_domain": "garcia gmail.com",
    "accent_folded": "alvarez jose",
}
