"""A deterministic, realistic-looking company corpus for the sandbox.

``build_corpus(seed)`` returns the same 6000 companies for the same seed, without
network access: names, websites on varied public suffixes (unique registered
domains), short and full descriptions, headquarters, LinkedIn-style size
buckets (exactly the spec's CompanySize enum) and founding years.

Every company belongs to one of :data:`INDUSTRIES` (each with a keyword
vocabulary, adjacent industries and product templates) and sells one product:
what it builds, to which customers, for which segment (``smb``, ``mid``,
``enterprise``) and with which business model (``saas``, ``api``,
``marketplace``, ``hardware``, ``services``, ``consumer``). ``matching.py``
grades companies against query and criterion text using these attributes.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from functools import cache

__all__ = [
    "CORPUS_SIZE",
    "COUNTRIES",
    "INDUSTRIES",
    "INDUSTRY_BY_KEY",
    "SIZE_BUCKETS",
    "Company",
    "Industry",
    "Product",
    "build_corpus",
    "normalize",
    "words",
]

CORPUS_SIZE = 6000
SIZE_BUCKETS = (
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
    "5001-10000",
    "10001+",
)
# Size weights per customer segment: small vendors sell to small customers.
_SIZE_WEIGHTS = {
    "smb": (22, 34, 26, 10, 4, 3, 1, 0),
    "mid": (10, 26, 28, 16, 9, 8, 2, 1),
    "enterprise": (4, 14, 24, 20, 12, 16, 5, 5),
}

_PREFIXES = (
    "Acme", "Nova", "Blue", "Bright", "Clear", "North", "Quantum", "Vector", "Atlas", "Cobalt",
    "Lumen", "Pioneer", "Summit", "Harbor", "Orbit", "Cedar", "Signal", "Granite", "Helix",
    "Kite", "Maple", "Nimbus", "Pixel", "Rapid", "Silver", "Tandem", "Umbra", "Vivid", "Willow",
    "Zephyr", "Arc", "Beacon", "Crest", "Delta", "Ember", "Fjord", "Glow", "Iris", "Juniper",
    "Keystone", "Lattice", "Meridian", "Nexus", "Onyx", "Prism", "Quill", "Ridge", "Sable",
    "Terra", "Unity", "Vanta", "Wren", "Yonder", "Zenith", "Aurora", "Bolt", "Copper", "Drift",
)  # fmt: skip
_CORES = (
    "Ledger", "Flow", "Forge", "Works", "Labs", "Stack", "Bridge", "Path", "Grid", "Loop",
    "Scale", "Sense", "Shift", "Sight", "Sync", "Wave", "Yard", "Base", "Cloud", "Craft",
    "Dock", "Field", "Gate", "Hub", "Line", "Mint", "Point", "Route", "Spark", "Trail",
)  # fmt: skip

# Phrases folded into one token before tokenizing, on both sides of a match.
_PHRASES = (
    (r"machine[- ]learning|artificial intelligence|gen(?:erative)? ?ai\b|\bllms?\b", " ml "),
    (r"computer vision", " vision ml "),
    (r"real[- ]estate", " realestate "),
    (r"e-?commerce", " ecommerce "),
    (r"supply[- ]chains?", " supplychain "),
    (r"point[- ]of[- ]sale", " pos "),
    (r"mid[- ]?(?:sized?|market)", " midsize "),
    (r"small (?:and medium[- ]sized )?business(?:es)?", " smb "),
    (r"\bU\.?S\.?A?\b|united states|north america", " usa "),
    (r"united kingdom|great britain", " uk "),
    (r"new york", " newyork "),
    (r"san francisco", " sanfrancisco "),
    (r"palo alto", " paloalto "),
    (r"human resources", " hr "),
    (r"life sciences?", " biotech "),
    (r"\bev\b|electric vehicles?", " ev "),
    (r"early[- ]stage", " startup "),
    (r"practice[- ]management", " practice management "),
)
_PHRASE_RES = tuple((re.compile(p, re.IGNORECASE), r) for p, r in _PHRASES)
_TOKEN = re.compile(r"[a-z0-9]+")


def normalize(word: str) -> str:
    """Lower-case a word and strip a plural ending (both sides of a match)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Normalized tokens of a text, with known phrases folded into one token."""
    for pattern, repl in _PHRASE_RES:
        text = pattern.sub(repl, text)
    return [normalize(w) for w in _TOKEN.findall(text.lower())]


@dataclass(frozen=True)
class Product:
    """What a company sells."""

    what: str
    customers: str
    segment: str
    model: str


@dataclass(frozen=True)
class Industry:
    """An industry: label, keyword vocabulary, adjacent industries, products."""

    key: str
    label: str
    keywords: frozenset[str]
    adjacent: tuple[str, ...]
    name_parts: tuple[str, ...]
    suffixes: tuple[str, ...]
    products: tuple[Product, ...]


def _industry(
    key: str, label: str, keywords: str, adjacent: str, names: str, suffixes: str,
    *products: str,
) -> Industry:  # fmt: skip
    return Industry(
        key=key,
        label=label,
        keywords=frozenset(normalize(w) for w in keywords.split()),
        adjacent=tuple(adjacent.split()),
        name_parts=tuple(names.split()),
        suffixes=("", "", "", *(f" {s}" for s in suffixes.split(","))),
        products=tuple(Product(*p.split("|")) for p in products),
    )


# fmt: off
INDUSTRIES: tuple[Industry, ...] = (
    _industry(
        "dental", "dental software",
        "dental dentist dentistry orthodontic orthodontist orthodontics oral teeth tooth clinic "
        "hygienist dso",
        "healthtech insurtech", "Smile Dent Molar Enamel", "Dental,Health,Software",
        "practice-management software for dental clinics|independent dental practices|smb|saas",
        "online booking and patient reminders for dentists|small dental offices|smb|saas",
        "cloud charting and imaging software for orthodontists|orthodontic practices|smb|saas",
        "insurance claims and billing automation for dental practices|dental practices and "
        "small DSOs|smb|saas",
        "ML-based X-ray analysis for dental clinics|dental clinics and DSOs|mid|saas",
        "revenue-cycle software for dental service organizations|multi-location dental groups"
        "|mid|saas",
        "intraoral scanners and chairside milling machines|dental labs and clinics|mid|hardware",
        "a marketplace for dental supplies and equipment|dental practices|smb|marketplace",
    ),
    _industry(
        "healthtech", "healthcare software",
        "health healthcare clinical clinic hospital medical patient physician doctor telehealth "
        "ehr emr care nurse therapy",
        "dental insurtech biotech ai", "Care Med Vita Pulse", "Health,Care,Medical",
        "clinical workflow software for hospitals|hospitals and health systems|enterprise|saas",
        "a telehealth platform for primary-care clinics|independent primary-care practices"
        "|smb|saas",
        "EHR and billing software for physical therapy clinics|outpatient therapy clinics|smb|saas",
        "remote patient monitoring devices|hospitals and home-care providers|mid|hardware",
        "patient intake and scheduling for medical practices|small medical practices|smb|saas",
        "a consumer app for booking doctor appointments|patients|smb|consumer",
        "nurse staffing and shift scheduling|hospitals|enterprise|marketplace",
    ),
    _industry(
        "fintech", "financial technology",
        "fintech finance financial payment banking bank card accounting invoicing invoice lending "
        "credit loan treasury cfo bookkeeping expense billing",
        "insurtech hr ecommerce retail", "Pay Ledger Coin Mint Fund", "Pay,Finance,Capital",
        "payments and invoicing for small businesses|small businesses and freelancers|smb|saas",
        "accounting automation and bookkeeping for SMBs|small businesses|smb|saas",
        "card-issuing and banking APIs for fintech startups|fintech startups|mid|api",
        "fraud detection models for banks|banks and credit unions|enterprise|saas",
        "working-capital loans for online sellers|e-commerce merchants|smb|services",
        "a consumer budgeting app|consumers|smb|consumer",
        "treasury and cash management for mid-market CFOs|mid-market finance teams|mid|saas",
        "expense cards and spend management|growing companies|mid|saas",
    ),
    _industry(
        "hr", "HR and payroll software",
        "hr payroll hiring recruiting recruitment recruiter onboarding benefit employee workforce "
        "talent people staffing shift hourly compliance",
        "fintech edtech hospitality", "People Hire Crew Roster", "HR,People,Talent",
        "payroll and benefits software for small businesses|small businesses|smb|saas",
        "payroll and shift scheduling for restaurants and hourly teams|restaurants and retail "
        "stores|smb|saas",
        "applicant tracking for growing tech companies|tech companies|mid|saas",
        "global payroll and compliance for distributed teams|remote-first companies|mid|saas",
        "employee engagement surveys|large enterprises|enterprise|saas",
        "a staffing marketplace for hospitality workers|hotels and restaurants|smb|marketplace",
        "background checks and employment verification APIs|HR platforms|mid|api",
    ),
    _industry(
        "hospitality", "restaurant and hospitality software",
        "restaurant hospitality hotel food dining bar cafe kitchen menu reservation chef "
        "catering",
        "retail hr ecommerce", "Table Plate Fork Menu", "Kitchen,Hospitality,Dining",
        "point-of-sale and online ordering for restaurants|independent restaurants|smb|saas",
        "reservation and table management for restaurants|restaurants and bars|smb|saas",
        "a property-management system for independent hotels|boutique hotels|smb|saas",
        "kitchen display systems and ordering kiosks|quick-service restaurant chains|mid|hardware",
        "inventory and food-cost tracking for restaurants|restaurant groups|smb|saas",
        "revenue management for hotel chains|hotel chains|enterprise|saas",
        "a food delivery app|diners|smb|consumer",
    ),
    _industry(
        "robotics", "robotics",
        "robot robotic robotics cobot autonomous drone warehouse industrial "
        "manufacturing factory arm",
        "manufacturing logistics ai agritech", "Servo Motion Bot Torque", "Robotics,Automation",
        "collaborative robot arms for factories|small and mid-sized manufacturers|mid|hardware",
        "autonomous mobile robots for warehouses|warehouse operators|enterprise|hardware",
        "robot fleet management software|robotics operators|mid|saas",
        "vision-guided picking robots for e-commerce fulfilment|fulfilment centers|enterprise"
        "|hardware",
        "inspection robots and drones for energy infrastructure|utilities|enterprise|hardware",
        "no-code robot programming software|factories|mid|saas",
        "robotic kitchen automation|restaurant chains|mid|hardware",
    ),
    _industry(
        "ai", "AI and machine learning",
        "ml model agent chatbot vision nlp copilot",
        "data devtools", "Neural Mind Cortex Logic", "AI,Intelligence,Labs",
        "ML models that automate document processing|banks and insurers|enterprise|saas",
        "ML-powered customer support agents|online businesses|mid|saas",
        "computer vision APIs for developers|software teams|mid|api",
        "an MLOps platform for training and deploying models|ML teams|mid|saas",
        "generative ML writing assistants for marketing teams|marketing teams|smb|saas",
        "ML consulting and custom model development|large enterprises|enterprise|services",
    ),
    _industry(
        "data", "data infrastructure",
        "data analytic pipeline warehouse etl bi dashboard reporting database sql",
        "ai devtools martech", "Query Schema Metric Lake", "Data,Analytics",
        "data pipelines and warehouse tooling for analytics teams|analytics teams|mid|saas",
        "self-serve BI dashboards for small businesses|small businesses|smb|saas",
        "a managed database service|software teams|mid|api",
        "data quality monitoring|data teams at large enterprises|enterprise|saas",
        "reverse ETL and customer data sync|growth teams|mid|saas",
    ),
    _industry(
        "devtools", "developer tools",
        "developer devtools api testing ci cd deployment infrastructure devops observability code "
        "git engineering monitoring open source",
        "data security ai", "Code Deploy Commit Shell", "Dev,Cloud,Systems",
        "developer tooling for testing and deploying cloud services|software teams|mid|saas",
        "CI/CD pipelines as a service|engineering teams|mid|saas",
        "observability and log monitoring|engineering teams|enterprise|saas",
        "feature flags and experimentation APIs|product teams|mid|api",
        "an open-source API gateway with paid hosting|developers|smb|saas",
        "code review automation|startups and scale-ups|smb|saas",
    ),
    _industry(
        "security", "cybersecurity",
        "cybersecurity security identity access threat encryption phishing vulnerability soc "
        "firewall zero trust breach",
        "devtools fintech", "Shield Guard Vault Sentinel", "Security,Cyber,Defense",
        "identity and access security for mid-market companies|mid-market IT teams|mid|saas",
        "phishing simulation and security training|small businesses|smb|saas",
        "vulnerability scanning for cloud infrastructure|DevOps teams|mid|saas",
        "managed detection and response|large enterprises|enterprise|services",
        "network firewalls and security appliances|enterprises and governments|enterprise"
        "|hardware",
        "password management for small teams|small businesses|smb|saas",
    ),
    _industry(
        "logistics", "logistics",
        "logistics freight shipping supplychain trucking delivery fleet warehousing route "
        "carrier shipment transport parcel",
        "robotics ecommerce", "Freight Cargo Haul Parcel", "Logistics,Freight",
        "freight visibility and route optimization for shippers|mid-market shippers|mid|saas",
        "a digital freight marketplace|trucking carriers and shippers|mid|marketplace",
        "last-mile delivery software|local couriers and retailers|smb|saas",
        "fleet telematics devices|trucking fleets|mid|hardware",
        "warehouse management software|third-party logistics providers|mid|saas",
        "customs and cross-border shipping APIs|e-commerce merchants|smb|api",
    ),
    _industry(
        "climate", "climate and energy",
        "climate carbon energy solar renewable battery emission sustainability ev charging grid "
        "net zero decarbonization",
        "agritech manufacturing proptech", "Solar Volt Carbon Watt", "Energy,Climate,Power",
        "carbon accounting and energy management for manufacturers|manufacturers|mid|saas",
        "EV charging stations and charging software|fleets and property owners|mid|hardware",
        "solar project design software|solar installers|smb|saas",
        "battery storage systems for commercial buildings|commercial building owners"
        "|enterprise|hardware",
        "emissions reporting for large companies|large enterprises|enterprise|saas",
        "energy procurement and grid analytics|utilities|enterprise|saas",
    ),
    _industry(
        "ecommerce", "e-commerce",
        "ecommerce commerce online store shop shopify dtc brand merchant checkout seller",
        "retail martech logistics fintech", "Cart Shop Basket Store", "Commerce,Shop",
        "an online store builder for independent brands|small online brands|smb|saas",
        "checkout and subscription billing for DTC brands|direct-to-consumer brands|smb|saas",
        "product search and recommendations for online stores|mid-sized online retailers|mid|saas",
        "returns management for e-commerce merchants|online merchants|mid|saas",
        "a marketplace for handmade goods|independent makers|smb|marketplace",
        "a headless commerce platform|large retailers|enterprise|api",
    ),
    _industry(
        "retail", "retail technology",
        "retail retailer store shop pos inventory merchandising boutique shelf grocery",
        "ecommerce hospitality", "Shelf Aisle Till Market", "Retail",
        "inventory and point-of-sale software for independent retailers|independent retailers"
        "|smb|saas",
        "shelf-scanning cameras for grocery chains|grocery chains|enterprise|hardware",
        "workforce scheduling for retail stores|retail chains|mid|saas",
        "loyalty programs for local shops|local shops|smb|saas",
        "demand forecasting for large retailers|large retailers|enterprise|saas",
    ),
    _industry(
        "martech", "marketing technology",
        "marketing advertising ad seo attribution email campaign crm sales lead brand social",
        "ecommerce data ai", "Funnel Reach Lead Buzz", "Marketing,Media,Growth",
        "marketing analytics and attribution for e-commerce brands|e-commerce brands|mid|saas",
        "email marketing for small businesses|small businesses|smb|saas",
        "a CRM for small sales teams|small businesses|smb|saas",
        "programmatic advertising for large brands|large brands and agencies|enterprise|saas",
        "SEO content tools for agencies|marketing agencies|smb|saas",
        "a performance marketing agency|consumer brands|mid|services",
    ),
    _industry(
        "edtech", "education technology",
        "education edtech learning student teacher school university course training tutoring "
        "classroom campus",
        "hr ai", "Learn Scholar Campus Tutor", "Learning,Education,Academy",
        "online learning platforms for corporate training|large companies|enterprise|saas",
        "classroom management software for K-12 schools|schools and districts|mid|saas",
        "online tutoring for high-school students|students and parents|smb|consumer",
        "a course platform for independent creators|independent instructors|smb|saas",
        "student information systems for universities|universities|enterprise|saas",
        "language-learning software for schools|language schools|smb|saas",
    ),
    _industry(
        "legal", "legal technology",
        "legal law lawyer attorney contract firm litigation paralegal counsel court compliance",
        "ai security", "Lex Counsel Brief Verdict", "Legal,Law",
        "contract review and legal operations automation|in-house legal teams|enterprise|saas",
        "practice-management software for small law firms|small law firms|smb|saas",
        "ML legal research assistants for lawyers|law firms|mid|saas",
        "e-discovery for litigation teams|large law firms|enterprise|saas",
        "online legal services for small businesses|small businesses|smb|services",
        "e-signature and document automation for attorneys|solo attorneys|smb|saas",
    ),
    _industry(
        "proptech", "real-estate technology",
        "realestate property landlord tenant leasing rental mortgage home housing broker agent "
        "building apartment",
        "fintech construction climate insurtech", "Home Nest Key Estate", "Property,Homes,Estates",
        "property management and leasing software for landlords|independent landlords|smb|saas",
        "a rental listings marketplace|renters and landlords|smb|marketplace",
        "mortgage origination software for lenders|mortgage lenders|mid|saas",
        "CRM for real-estate agents|real-estate agents and brokers|smb|saas",
        "smart-lock and access hardware for apartment buildings|apartment operators|mid|hardware",
        "commercial real-estate analytics|real-estate investors|enterprise|saas",
    ),
    _industry(
        "construction", "construction technology",
        "construction contractor builder site project bim subcontractor architect engineering "
        "renovation",
        "proptech robotics manufacturing", "Build Beam Brick Crane", "Construction,Build",
        "project management for construction contractors|general contractors|mid|saas",
        "estimating and bidding software for subcontractors|small subcontractors|smb|saas",
        "site monitoring cameras and drones|large builders|enterprise|hardware",
        "BIM collaboration software for architects|architecture firms|mid|saas",
        "a marketplace for renovation contractors|homeowners and contractors|smb|marketplace",
    ),
    _industry(
        "manufacturing", "industrial manufacturing software",
        "manufacturing manufacturer factory industrial production plant machine maintenance "
        "quality mes supplier",
        "robotics climate construction logistics", "Plant Mill Gear Tool", "Industrial,Systems",
        "production scheduling software for factories|small and mid-sized manufacturers|mid|saas",
        "predictive maintenance sensors for industrial machines|manufacturing plants|enterprise"
        "|hardware",
        "quality inspection with computer vision|electronics manufacturers|mid|saas",
        "a sourcing marketplace for machined parts|hardware companies|mid|marketplace",
        "an MES for food and beverage plants|food manufacturers|enterprise|saas",
    ),
    _industry(
        "agritech", "agriculture technology",
        "agriculture agritech farm farmer farming crop livestock irrigation harvest agronomy "
        "greenhouse drone soil",
        "climate robotics", "Crop Harvest Seed Acre", "Agri,Farms",
        "crop monitoring and farm management with sensors and drones|family farms|smb|hardware",
        "farm management software|mid-sized farms|smb|saas",
        "precision irrigation controllers|growers|mid|hardware",
        "livestock health monitoring|dairy and cattle farms|mid|hardware",
        "a marketplace for farm produce|farmers and grocers|smb|marketplace",
        "agronomy analytics for agribusinesses|large agribusinesses|enterprise|saas",
    ),
    _industry(
        "insurtech", "insurance technology",
        "insurance insurer underwriting claim policy broker premium actuarial reinsurance",
        "fintech healthtech", "Shield Cover Policy Assure", "Insurance,Assurance",
        "underwriting and claims automation for insurers|insurance carriers|enterprise|saas",
        "embedded insurance APIs|online platforms|mid|api",
        "agency management software for insurance brokers|independent brokers|smb|saas",
        "small-business insurance sold online|small businesses|smb|services",
        "claims fraud detection with ML|insurers|enterprise|saas",
    ),
    _industry(
        "biotech", "biotech and life sciences",
        "biotech pharma drug discovery lab laboratory clinical trial genomic biology molecule "
        "research",
        "healthtech ai", "Gene Cell Bio Helix", "Bio,Therapeutics,Sciences",
        "ML-driven drug discovery|pharmaceutical companies|enterprise|services",
        "lab information management software|research labs|mid|saas",
        "clinical trial management software|biotech sponsors and CROs|mid|saas",
        "lab automation robots|biotech labs|mid|hardware",
        "genomic sequencing analysis|hospitals and research labs|enterprise|saas",
    ),
)
# fmt: on
INDUSTRY_BY_KEY = {i.key: i for i in INDUSTRIES}

# (public suffix, country, [(state or province, city)])
_PLACES: tuple[tuple[str, str, tuple[tuple[str | None, str], ...]], ...] = (
    ("com", "United States", (("California", "San Francisco"), ("New York", "New York"),
                              ("Texas", "Austin"), ("Massachusetts", "Boston"),
                              ("Washington", "Seattle"), ("Illinois", "Chicago"))),
    ("io", "United States", (("California", "Palo Alto"), ("Colorado", "Denver"))),
    ("ai", "United States", (("California", "San Francisco"), ("New York", "Brooklyn"))),
    ("co", "United States", (("Florida", "Miami"), ("Georgia", "Atlanta"))),
    ("co.uk", "United Kingdom", (("England", "London"), ("England", "Manchester"),
                                 ("Scotland", "Edinburgh"))),
    ("com.au", "Australia", (("New South Wales", "Sydney"), ("Victoria", "Melbourne"))),
    ("de", "Germany", (("Berlin", "Berlin"), ("Bavaria", "Munich"), ("Hamburg", "Hamburg"))),
    ("fr", "France", (("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Lyon"))),
    ("ca", "Canada", (("Ontario", "Toronto"), ("British Columbia", "Vancouver"))),
    ("nl", "Netherlands", (("North Holland", "Amsterdam"),)),
    ("se", "Sweden", (("Stockholm County", "Stockholm"),)),
    ("co.jp", "Japan", (("Tokyo", "Tokyo"),)),
    ("com.br", "Brazil", (("São Paulo", "São Paulo"),)),
    ("in", "India", (("Karnataka", "Bengaluru"), ("Maharashtra", "Mumbai"))),
    ("sg", "Singapore", ((None, "Singapore"),)),
    ("ch", "Switzerland", (("Zurich", "Zurich"),)),
    ("co.nz", "New Zealand", (("Auckland", "Auckland"),)),
    ("es", "Spain", (("Catalonia", "Barcelona"), ("Madrid", "Madrid"))),
)  # fmt: skip
_PLACE_WEIGHTS = (30, 10, 6, 3, 10, 5, 7, 4, 5, 3, 2, 2, 2, 3, 2, 2, 1, 3)
COUNTRIES = tuple(dict.fromkeys(p[1] for p in _PLACES))


@dataclass(frozen=True)
class Company:
    """One company of the corpus."""

    index: int
    name: str
    domain: str
    website: str
    industry: str
    description: str
    full_description: str
    hq_country: str
    hq_state_province: str | None
    hq_city: str
    size: str
    founding_year: int
    profile_id: str
    linkedin_url: str
    product: Product
    tokens: frozenset[str]
    product_tokens: frozenset[str]

    @property
    def segment(self) -> str:
        """Customer segment: ``smb``, ``mid`` or ``enterprise``."""
        return self.product.segment

    @property
    def model(self) -> str:
        """Business model: ``saas``, ``api``, ``marketplace``, ``hardware``, ..."""
        return self.product.model


def _describe(name: str, industry: Industry, product: Product, rng: random.Random) -> str:
    what, customers = product.what, product.customers
    return rng.choice(
        (
            f"{name} builds {what}.",
            f"{name} builds {what}, used by {customers}.",
            f"{name} makes {what}; its customers are {customers}.",
            f"{name} develops {what}.",
        )
    )


@cache
def _product_tokens(product: Product) -> frozenset[str]:
    return frozenset(words(f"{product.what} {product.customers}"))


@cache
def build_corpus(seed: int = 0, size: int = CORPUS_SIZE) -> tuple[Company, ...]:
    """Return ``size`` companies generated deterministically from ``seed``.

    Industries are equally likely; registered domains are unique across the corpus.
    """
    rng = random.Random(f"corpus:{seed}")
    companies: list[Company] = []
    seen: set[str] = set()
    while len(companies) < size:
        industry = rng.choice(INDUSTRIES)
        product = rng.choice(industry.products)
        first = rng.choice(_PREFIXES)
        core = rng.choice(industry.name_parts if rng.random() < 0.35 else _CORES)
        base = first + core
        name = base + rng.choice(industry.suffixes)
        suffix, country, cities = rng.choices(_PLACES, weights=_PLACE_WEIGHTS)[0]
        label = base.lower()
        if rng.random() < 0.25:
            label += rng.choice(("hq", "app", "labs", "group", "tech"))
        domain = f"{label}.{suffix}"
        n = 2
        while domain in seen:
            domain = f"{label}{n}.{suffix}"
            n += 1
        seen.add(domain)
        state, city = rng.choice(cities)
        size_bucket = rng.choices(SIZE_BUCKETS, weights=_SIZE_WEIGHTS[product.segment])[0]
        year = (
            rng.randint(1985, 2024)
            if size_bucket not in ("1-10", "11-50")
            else rng.randint(2012, 2025)
        )
        index = len(companies)
        slug = domain.split(".")[0]
        product_tokens = _product_tokens(product)
        companies.append(
            Company(
                index=index,
                name=name,
                domain=domain,
                website=f"https://{'www.' if rng.random() < 0.6 else ''}{domain}",
                industry=industry.key,
                description=_describe(name, industry, product, rng),
                full_description=(
                    f"{name} is a {city}-based {industry.label} company founded in {year}. "
                    f"It builds {product.what} for {product.customers}, serving customers in "
                    f"{country} and abroad with a team of {size_bucket} employees."
                ),
                hq_country=country,
                hq_state_province=state,
                hq_city=city,
                size=size_bucket,
                founding_year=year,
                profile_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                linkedin_url=f"https://www.linkedin.com/company/{slug}",
                product=product,
                tokens=product_tokens | industry.keywords,
                product_tokens=product_tokens,
            )
        )
    return tuple(companies)
