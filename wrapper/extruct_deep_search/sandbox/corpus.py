"""A deterministic, realistic-looking company corpus for the sandbox.

``build_corpus(seed)`` returns the same companies for the same seed, without
network access: names, websites on varied public suffixes (unique registered
domains), short and full descriptions, headquarters, LinkedIn-style size
buckets (exactly the spec's CompanySize enum) and founding years.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from functools import cache

__all__ = ["SIZE_BUCKETS", "Company", "build_corpus"]

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
_SIZE_WEIGHTS = (18, 30, 24, 12, 6, 6, 2, 2)

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
_SUFFIXES = ("", "", "", " AI", " Systems", " Technologies", " Health", " Analytics", " Robotics")
_INDUSTRIES = (
    ("fintech", "payments and accounting automation for small businesses"),
    ("healthtech", "clinical workflow software for hospitals and clinics"),
    ("logistics", "freight visibility and route optimization for shippers"),
    ("devtools", "developer tooling for testing and deploying cloud services"),
    ("security", "identity and access security for mid-market companies"),
    ("hr", "hiring and onboarding software for distributed teams"),
    ("martech", "marketing analytics and attribution for e-commerce brands"),
    ("legaltech", "contract review and legal operations automation"),
    ("climate", "carbon accounting and energy management for manufacturers"),
    ("proptech", "property management and leasing software for landlords"),
    ("edtech", "online learning platforms for corporate training"),
    ("insurtech", "underwriting and claims automation for insurers"),
    ("agritech", "crop monitoring and farm management with sensors and drones"),
    ("retail", "inventory and point-of-sale software for independent retailers"),
    ("data", "data pipelines and warehouse tooling for analytics teams"),
    ("ai", "machine learning models that automate document processing"),
)
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


@cache
def build_corpus(seed: int = 0, size: int = 3000) -> tuple[Company, ...]:
    """Return ``size`` companies generated deterministically from ``seed``.

    Registered domains are unique across the corpus.
    """
    rng = random.Random(f"corpus:{seed}")
    companies: list[Company] = []
    seen: set[str] = set()
    while len(companies) < size:
        base = rng.choice(_PREFIXES) + rng.choice(_CORES)
        name = base + rng.choice(_SUFFIXES)
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
        industry, what = rng.choice(_INDUSTRIES)
        size_bucket = rng.choices(SIZE_BUCKETS, weights=_SIZE_WEIGHTS)[0]
        year = (
            rng.randint(1985, 2024)
            if size_bucket not in ("1-10", "11-50")
            else rng.randint(2012, 2025)
        )
        index = len(companies)
        slug = domain.split(".")[0]
        companies.append(
            Company(
                index=index,
                name=name,
                domain=domain,
                website=f"https://{'www.' if rng.random() < 0.6 else ''}{domain}",
                industry=industry,
                description=f"{name} builds {what}.",
                full_description=(
                    f"{name} is a {city}-based {industry} company founded in {year}. "
                    f"It builds {what}, serving customers in {country} and abroad "
                    f"with a team of {size_bucket} employees."
                ),
                hq_country=country,
                hq_state_province=state,
                hq_city=city,
                size=size_bucket,
                founding_year=year,
                profile_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                linkedin_url=f"https://www.linkedin.com/company/{slug}",
            )
        )
    return tuple(companies)
