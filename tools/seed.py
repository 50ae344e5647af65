"""`pedidos seed`: catalogue, customers and stock in PostgreSQL, mirrored to the compacted Kafka topics.

Deterministic (a seeded RNG): product ``p-0001`` is the same product on every machine and every run, so tests
and labs can name it. Idempotent: rows are upserted (``updated_at`` only moves when something changed), and
existing stock is left alone unless ``--reset-stock``, because live reservations depend on it. Every run
republishes the rows to ``products`` and ``customers`` (key = id); compaction keeps the latest per key.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import click
import psycopg
from confluent_kafka import Producer

from processors.runtime.serde import AvroCodec
from processors.settings import Settings, get_settings

SEED = 20240517


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# category: names ("|"-separated, kept compact on purpose), price range in reais
CATALOGUE: dict[str, tuple[str, tuple[int, int]]] = {
    "Eletrônicos": (
        "Fone de Ouvido Bluetooth|Carregador Turbo USB-C|Caixa de Som Portátil|Smartwatch|Mouse sem Fio|"
        "Teclado Mecânico|Webcam Full HD|Power Bank 10000 mAh",
        (49, 899),
    ),
    "Casa e Cozinha": (
        "Jogo de Panelas Antiaderente|Cafeteira Elétrica|Liquidificador|Garrafa Térmica|Jogo de Toalhas|"
        "Air Fryer|Conjunto de Potes Herméticos|Chaleira Elétrica",
        (39, 699),
    ),
    "Livros": (
        "Romance Brasileiro|Livro de Receitas Regionais|Guia de Python|Coletânea de Contos|Biografia|"
        "Livro Infantil Ilustrado|Atlas do Brasil|Dicionário Escolar",
        (29, 159),
    ),
    "Esporte e Lazer": (
        "Bola de Futebol|Tapete de Yoga|Garrafa Esportiva|Par de Halteres|Bicicleta Ergométrica|"
        "Rede de Descanso|Corda de Pular|Mochila de Trilha",
        (25, 1299),
    ),
    "Moda": (
        "Camiseta de Algodão|Tênis de Corrida|Boné|Mochila Casual|Chinelo|Jaqueta Corta-Vento|Calça Jeans|"
        "Óculos de Sol",
        (29, 399),
    ),
    "Beleza": (
        "Protetor Solar FPS 50|Kit de Shampoo e Condicionador|Perfume|Hidratante Corporal|Secador de Cabelo|"
        "Escova Alisadora|Sabonete Artesanal|Kit de Maquiagem",
        (19, 349),
    ),
    "Mercado": (
        "Café Torrado 500 g|Açaí em Pó|Doce de Leite|Azeite Extravirgem|Castanha-do-Pará|Erva-Mate|"
        "Farinha de Mandioca|Cesta de Frutas",
        (9, 89),
    ),
}
VARIANTS = _names("Preto|Branco|Azul|Verde|Premium|Compacto|Edição Especial|Família|Plus")
FIRST_NAMES = _names(
    "Ana|João|Maria|Pedro|Juliana|Lucas|Fernanda|Gabriel|Camila|Rafael|Beatriz|Mateus|Larissa|Thiago|"
    "Patrícia|Felipe|Aline|Bruno|Letícia|Gustavo|Débora"
)
SURNAMES = _names(
    "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|Gomes|Costa|Ribeiro|Martins|"
    "Carvalho|Araújo|Melo|Barbosa|Cardoso|Nascimento"
)
CITIES = _names(
    "São Paulo|Rio de Janeiro|Belo Horizonte|Salvador|Curitiba|Recife|Porto Alegre|Fortaleza|Manaus|Belém|"
    "Goiânia|Florianópolis|Campinas|Natal|Vitória|São Luís"
)


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    category: str
    price: Decimal


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str
    city: str


@dataclass
class SeedReport:
    products: int = 0
    customers: int = 0
    stock_rows_created: int = 0
    published: dict[str, int] = field(default_factory=dict)


def product_id(n: int) -> str:
    return f"p-{n:04d}"


def customer_id(n: int) -> str:
    return f"c-{n:04d}"


def make_products(count: int) -> list[Product]:
    rng = random.Random(f"{SEED}-products")
    categories = sorted(CATALOGUE)
    products = []
    for n in range(1, count + 1):
        category = categories[(n - 1) % len(categories)]
        names, (low, high) = _names(CATALOGUE[category][0]), CATALOGUE[category][1]
        price = Decimal(rng.randint(low, high)) + Decimal(rng.choice((0, 49, 90, 99))) / 100
        name = f"{rng.choice(names)} {rng.choice(VARIANTS)}"
        products.append(Product(product_id(n), name, category, price))
    return products


def make_customers(count: int) -> list[Customer]:
    rng = random.Random(f"{SEED}-customers")
    customers = []
    for n in range(1, count + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        local = _ascii(name.lower()).replace(" ", ".")
        customers.append(Customer(customer_id(n), name, f"{local}.{n}@exemplo.com.br", rng.choice(CITIES)))
    return customers


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@dataclass
class Written:
    stock_rows_created: int
    product_updated_at: dict[str, datetime]
    customer_created_at: dict[str, datetime]


def write_database(
    database_url: str, products: list[Product], customers: list[Customer], stock: int, reset_stock: bool
) -> Written:
    """Upserts everything in one transaction; the rows' timestamps go to Kafka with them."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO products (product_id, name, category, price, active) VALUES (%s, %s, %s, %s, true)
               ON CONFLICT (product_id) DO UPDATE
                 SET name = EXCLUDED.name, category = EXCLUDED.category, price = EXCLUDED.price,
                     active = true, updated_at = now()
                 WHERE (products.name, products.category, products.price, products.active)
                       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.price, true)""",
            [(p.product_id, p.name, p.category, p.price) for p in products],
        )
        cur.executemany(
            """INSERT INTO customers (customer_id, name, email, city) VALUES (%s, %s, %s, %s)
               ON CONFLICT (customer_id) DO UPDATE
                 SET name = EXCLUDED.name, email = EXCLUDED.email, city = EXCLUDED.city
                 WHERE (customers.name, customers.email, customers.city)
                       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.email, EXCLUDED.city)""",
            [(c.customer_id, c.name, c.email, c.city) for c in customers],
        )
        ids = [p.product_id for p in products]
        created = cur.execute(
            """INSERT INTO stock (product_id, available) SELECT unnest(%s::text[]), %s
               ON CONFLICT (product_id) DO NOTHING""",
            (ids, stock),
        ).rowcount
        if reset_stock:
            cur.execute(
                "UPDATE stock SET available = %s, updated_at = now() WHERE product_id = ANY(%s)", (stock, ids)
            )
        product_ts = cur.execute(
            "SELECT product_id, updated_at FROM products WHERE product_id = ANY(%s)", (ids,)
        ).fetchall()
        customer_ts = cur.execute(
            "SELECT customer_id, created_at FROM customers WHERE customer_id = ANY(%s)",
            ([c.customer_id for c in customers],),
        ).fetchall()
    return Written(created, dict(product_ts), dict(customer_ts))


def publish(
    settings: Settings, products: list[Product], customers: list[Customer], written: Written
) -> dict[str, int]:
    """Mirrors the rows to the compacted topics (key = id) and waits until the broker has them all."""
    codec = AvroCodec(settings.registry_url)
    producer = Producer(
        {"bootstrap.servers": settings.bootstrap_servers, "enable.idempotence": True, "acks": "all"}
    )
    errors: list[str] = []

    def on_delivery(error, _message) -> None:
        if error is not None:
            errors.append(str(error))

    records = [
        (
            "products",
            p.product_id,
            {**vars(p), "active": True, "updated_at": written.product_updated_at[p.product_id]},
        )
        for p in products
    ] + [
        ("customers", c.customer_id, {**vars(c), "created_at": written.customer_created_at[c.customer_id]})
        for c in customers
    ]
    for topic, key, value in records:
        producer.produce(topic, key=key, value=codec.encode(topic, value), on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(30)
    if remaining or errors:
        raise click.ClickException(f"{remaining} não entregues / undelivered; erros / errors: {errors[:3]}")
    return {"products": len(products), "customers": len(customers)}


def run_seed(
    settings: Settings, products: int = 50, customers: int = 200, stock: int = 1000, reset_stock: bool = False
) -> SeedReport:
    product_rows, customer_rows = make_products(products), make_customers(customers)
    written = write_database(settings.database_url, product_rows, customer_rows, stock, reset_stock)
    published = publish(settings, product_rows, customer_rows, written)
    return SeedReport(len(product_rows), len(customer_rows), written.stock_rows_created, published)


@click.command("seed")
@click.option("--products", default=50, show_default=True, type=click.IntRange(1, 9999))
@click.option("--customers", default=200, show_default=True, type=click.IntRange(1, 9999))
@click.option("--stock", default=1000, show_default=True, type=click.IntRange(0), help="Estoque inicial.")
@click.option("--reset-stock", is_flag=True, help="Também redefine o estoque existente / reset stock.")
def seed(products: int, customers: int, stock: int, reset_stock: bool) -> None:
    """Produtos, clientes e estoque (determinísticos) / deterministic products, customers, stock."""
    report = run_seed(get_settings(), products, customers, stock, reset_stock)
    click.echo(f"  ok  produtos / products: {report.products} (p-0001..{product_id(report.products)})")
    click.echo(f"  ok  clientes / customers: {report.customers} (c-0001..{customer_id(report.customers)})")
    click.echo(f"  ok  estoque / stock: {report.stock_rows_created} linhas novas / new rows ({stock} cada)")
    click.echo(f"  ok  publicados / published: {report.published}")
