"""Examples for the OpenAPI document: real answers of the API on the curated corpus
(`make run`, then curl), kept as data so the docs show what a client gets."""

from typing import Any

JSON_LD_PASSAGE: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/passages/7",
    "@type": "CreativeWork",
    "url": "http://127.0.0.1:8000/api/v1/passages/7",
    "identifier": "7",
    "name": "Pasaje 7",
    "text": "Los soviéticos ya no buscaban la seguridad colectiva sino individual, y el pacto con "
    "Hitler fue firmado, dando a la protección del frente soviético del poder europeo más "
    "agresivo y recuperando gran parte de la esfera de influencia que Rusia había perdido "
    "durante la Primera Guerra Mundial y tras el Tratado de Brest-Litovsk.",
    "inLanguage": "es",
    "position": 7,
    "about": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/themes/esfera-de-influencia",
            "@type": "DefinedTerm",
            "name": "Esfera de influencia",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/themes/seguridad-colectiva",
            "@type": "DefinedTerm",
            "name": "Seguridad colectiva",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/themes/seguridad-sovietica",
            "@type": "DefinedTerm",
            "name": "Seguridad soviética",
        },
    ],
    "mentions": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/events/pacto-ribbentrop-molotov",
            "@type": "Event",
            "name": "Pacto Ribbentrop-Mólotov",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/events/tratado-de-brest-litovsk",
            "@type": "Event",
            "name": "Tratado de Brest-Litovsk",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/adolf-hitler",
            "@type": "Person",
            "name": "Adolf Hitler",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/alemania-nazi",
            "@type": "Country",
            "name": "Alemania nazi",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/union-sovietica",
            "@type": "Country",
            "name": "Unión Soviética",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/regions/alemania",
            "@type": "Place",
            "name": "Alemania",
        },
        {"@id": "http://127.0.0.1:8000/api/v1/regions/europa", "@type": "Place", "name": "Europa"},
        {"@id": "http://127.0.0.1:8000/api/v1/regions/rusia", "@type": "Place", "name": "Rusia"},
        {
            "@id": "http://127.0.0.1:8000/api/v1/periods/periodo-de-entreguerras",
            "@type": "Event",
            "name": "Período de entreguerras",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/periods/primera-guerra-mundial",
            "@type": "Event",
            "name": "Primera Guerra Mundial",
        },
    ],
    "temporalCoverage": "1939",
}

JSON_LD_EVENT: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/events/pacto-ribbentrop-molotov",
    "@type": "Event",
    "url": "http://127.0.0.1:8000/api/v1/events/pacto-ribbentrop-molotov",
    "identifier": "pacto-ribbentrop-molotov",
    "name": "Pacto Ribbentrop-Mólotov",
    "description": "Pacto de no agresión entre Alemania y la URSS, firmado en Moscú por "
    "Ribbentrop y Mólotov, con un protocolo secreto que repartía Europa oriental "
    "en esferas de influencia.",
    "alternateName": [
        "Pacto Mólotov-Ribbentrop",
        "Pacto de no agresión germano-soviético",
        "pacto con Hitler",
        "Molotov–Ribbentrop Pact",
        "Nazi–Soviet Pact",
        "Hitler–Stalin Pact",
    ],
    "subjectOf": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/4",
            "@type": "CreativeWork",
            "name": "Pasaje 4",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/7",
            "@type": "CreativeWork",
            "name": "Pasaje 7",
        },
    ],
    "startDate": "1939-08-23",
    "endDate": "1939-08-23",
    "temporalCoverage": "1939-08-23",
    "about": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/themes/esfera-de-influencia",
            "@type": "DefinedTerm",
            "name": "Esfera de influencia",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/themes/seguridad-sovietica",
            "@type": "DefinedTerm",
            "name": "Seguridad soviética",
        },
    ],
    "location": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/regions/alemania",
            "@type": "Place",
            "name": "Alemania",
        },
        {"@id": "http://127.0.0.1:8000/api/v1/regions/europa", "@type": "Place", "name": "Europa"},
        {
            "@id": "http://127.0.0.1:8000/api/v1/regions/union-sovietica",
            "@type": "Place",
            "name": "Unión Soviética",
        },
    ],
    "superEvent": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/periods/periodo-de-entreguerras",
            "@type": "Event",
            "name": "Período de entreguerras",
        }
    ],
    "attendee": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/adolf-hitler",
            "@type": "Person",
            "name": "Adolf Hitler",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/alemania-nazi",
            "@type": "Country",
            "name": "Alemania nazi",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/joachim-von-ribbentrop",
            "@type": "Person",
            "name": "Joachim von Ribbentrop",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/union-sovietica",
            "@type": "Country",
            "name": "Unión Soviética",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/actors/viacheslav-molotov",
            "@type": "Person",
            "name": "Viacheslav Mólotov",
        },
    ],
}

JSON_LD_ACTOR: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/actors/kgb",
    "@type": "Organization",
    "url": "http://127.0.0.1:8000/api/v1/actors/kgb",
    "identifier": "kgb",
    "name": "KGB",
    "description": "Responsable del espionaje en el exterior y de la vigilancia interna; creado "
    "el 13 de marzo de 1954 y disuelto en diciembre de 1991.",
    "alternateName": [
        "Comité para la Seguridad del Estado",
        "Comité para la Seguridad Estatal",
        "Committee for State Security",
        "Комитет государственной безопасности",
        "КГБ",
    ],
    "subjectOf": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/8",
            "@type": "CreativeWork",
            "name": "Pasaje 8",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/9",
            "@type": "CreativeWork",
            "name": "Pasaje 9",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/events/creacion-del-kgb",
            "@type": "Event",
            "name": "Creación del KGB",
        },
    ],
    "disambiguatingDescription": "Servicio de seguridad e inteligencia de la URSS",
}

JSON_LD_PERIOD: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/periods/distension",
    "@type": "Event",
    "url": "http://127.0.0.1:8000/api/v1/periods/distension",
    "identifier": "distension",
    "name": "Distensión",
    "description": "Relajación de la tensión entre las superpotencias, convencionalmente de 1969 "
    "a la intervención soviética en Afganistán (diciembre de 1979).",
    "alternateName": ["détente", "deténte", "detente"],
    "subjectOf": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/10",
            "@type": "CreativeWork",
            "name": "Pasaje 10",
        }
    ],
    "startDate": "1969",
    "endDate": "1979",
    "superEvent": {
        "@id": "http://127.0.0.1:8000/api/v1/periods/guerra-fria",
        "@type": "Event",
        "name": "Guerra Fría",
    },
}

JSON_LD_REGION: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/regions/america",
    "@type": "Place",
    "url": "http://127.0.0.1:8000/api/v1/regions/america",
    "identifier": "america",
    "name": "América",
    "alternateName": ["Americas", "las Américas"],
    "containsPlace": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/regions/america-latina",
            "@type": "Place",
            "name": "América Latina",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/regions/estados-unidos",
            "@type": "Place",
            "name": "Estados Unidos",
        },
    ],
}

JSON_LD_THEME: dict[str, Any] = {
    "@context": "https://schema.org",
    "@id": "http://127.0.0.1:8000/api/v1/themes/espionaje",
    "@type": "DefinedTerm",
    "url": "http://127.0.0.1:8000/api/v1/themes/espionaje",
    "identifier": "espionaje",
    "name": "Espionaje",
    "description": "Obtención secreta de información en el extranjero.",
    "alternateName": ["espionage", "inteligencia exterior"],
    "subjectOf": [
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/8",
            "@type": "CreativeWork",
            "name": "Pasaje 8",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/passages/9",
            "@type": "CreativeWork",
            "name": "Pasaje 9",
        },
        {
            "@id": "http://127.0.0.1:8000/api/v1/events/creacion-del-kgb",
            "@type": "Event",
            "name": "Creación del KGB",
        },
    ],
}

TIMELINEJS_EXAMPLE: dict[str, Any] = {
    "title": {
        "text": {
            "headline": "Anales",
            "text": "Política exterior soviética (1917–1991): acontecimientos y períodos.",
        }
    },
    "events": [
        {
            "start_date": {"year": 1930, "month": 7},
            "end_date": {"year": 1939, "month": 5},
            "text": {
                "headline": "Litvínov, comisario de Asuntos Exteriores",
                "text": "Maksim Litvínov dirige la diplomacia soviética desde julio de "
                "1930 hasta su sustitución por Mólotov en mayo de 1939.",
            },
            "unique_id": "mandato-de-litvinov",
        },
        {
            "start_date": {"year": 1939, "month": 8, "day": 23},
            "text": {
                "headline": "Pacto Ribbentrop-Mólotov",
                "text": "Pacto de no agresión entre Alemania y la URSS, firmado en Moscú "
                "por Ribbentrop y Mólotov, con un protocolo secreto que repartía "
                "Europa oriental en esferas de influencia.",
            },
            "unique_id": "pacto-ribbentrop-molotov",
        },
    ],
    "eras": [
        {
            "start_date": {"year": 1917},
            "end_date": {"year": 1991},
            "text": {
                "headline": "Período soviético",
                "text": "De la Revolución de Octubre (noviembre de 1917) a la disolución "
                "de la Unión Soviética (diciembre de 1991).",
            },
        },
        {
            "start_date": {"year": 1918},
            "end_date": {"year": 1939},
            "text": {
                "headline": "Período de entreguerras",
                "text": "Del fin de la Primera Guerra Mundial (1918) al comienzo de la "
                "Segunda (1939).",
            },
        },
        {
            "start_date": {"year": 1935},
            "end_date": {"year": 1939},
            "text": {
                "headline": "Etapa del Frente Popular",
                "text": "Desde el VII Congreso de la Komintern (1935) hasta el pacto "
                "germano-soviético (1939): alianzas antifascistas amplias y "
                "búsqueda de la seguridad colectiva.",
            },
        },
        {
            "start_date": {"year": 1939},
            "end_date": {"year": 1945},
            "text": {
                "headline": "Segunda Guerra Mundial",
                "text": "Guerra de septiembre de 1939 a septiembre de 1945.",
            },
        },
    ],
    "scale": "human",
}

GRAPH_EXAMPLE: dict[str, Any] = {
    "nodes": [
        {
            "id": "actors/kgb",
            "label": "KGB",
            "group": "actors",
            "value": 1,
            "title": "KGB (pasajes y acontecimientos: 1)",
        },
        {
            "id": "actors/union-sovietica",
            "label": "Unión Soviética",
            "group": "actors",
            "value": 1,
            "title": "Unión Soviética (pasajes y acontecimientos: 1)",
        },
        {
            "id": "periods/guerra-fria",
            "label": "Guerra Fría",
            "group": "periods",
            "value": 1,
            "title": "Guerra Fría (pasajes y acontecimientos: 1)",
        },
        {
            "id": "regions/union-sovietica",
            "label": "Unión Soviética",
            "group": "regions",
            "value": 1,
            "title": "Unión Soviética (pasajes y acontecimientos: 1)",
        },
        {
            "id": "themes/espionaje",
            "label": "Espionaje",
            "group": "themes",
            "value": 1,
            "title": "Espionaje (pasajes y acontecimientos: 1)",
        },
        {
            "id": "themes/vigilancia-interna",
            "label": "Vigilancia interna",
            "group": "themes",
            "value": 1,
            "title": "Vigilancia interna (pasajes y acontecimientos: 1)",
        },
    ],
    "edges": [
        {
            "id": "actors/kgb--actors/union-sovietica",
            "from": "actors/kgb",
            "to": "actors/union-sovietica",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/kgb--periods/guerra-fria",
            "from": "actors/kgb",
            "to": "periods/guerra-fria",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/kgb--regions/union-sovietica",
            "from": "actors/kgb",
            "to": "regions/union-sovietica",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/kgb--themes/espionaje",
            "from": "actors/kgb",
            "to": "themes/espionaje",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/kgb--themes/vigilancia-interna",
            "from": "actors/kgb",
            "to": "themes/vigilancia-interna",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/union-sovietica--periods/guerra-fria",
            "from": "actors/union-sovietica",
            "to": "periods/guerra-fria",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/union-sovietica--regions/union-sovietica",
            "from": "actors/union-sovietica",
            "to": "regions/union-sovietica",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/union-sovietica--themes/espionaje",
            "from": "actors/union-sovietica",
            "to": "themes/espionaje",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "actors/union-sovietica--themes/vigilancia-interna",
            "from": "actors/union-sovietica",
            "to": "themes/vigilancia-interna",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "periods/guerra-fria--regions/union-sovietica",
            "from": "periods/guerra-fria",
            "to": "regions/union-sovietica",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "periods/guerra-fria--themes/espionaje",
            "from": "periods/guerra-fria",
            "to": "themes/espionaje",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "periods/guerra-fria--themes/vigilancia-interna",
            "from": "periods/guerra-fria",
            "to": "themes/vigilancia-interna",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "regions/union-sovietica--themes/espionaje",
            "from": "regions/union-sovietica",
            "to": "themes/espionaje",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "regions/union-sovietica--themes/vigilancia-interna",
            "from": "regions/union-sovietica",
            "to": "themes/vigilancia-interna",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
        {
            "id": "themes/espionaje--themes/vigilancia-interna",
            "from": "themes/espionaje",
            "to": "themes/vigilancia-interna",
            "value": 1,
            "title": "pasajes y acontecimientos: 1",
        },
    ],
}

SEARCH_EXAMPLE: dict[str, Any] = {
    "q": "coexistencias pacíficas",
    "total": 3,
    "groups": [
        {
            "kind": "themes",
            "total": 1,
            "hits": [
                {
                    "kind": "themes",
                    "id": 2,
                    "slug": "coexistencia-pacifica",
                    "label": "Coexistencia pacífica",
                    "snippet": "<mark>Coexistencia</mark> <mark>pacífica</mark>",
                    "score": 5.555556,
                    "url": "/api/v1/themes/coexistencia-pacifica",
                }
            ],
        },
        {
            "kind": "passages",
            "total": 2,
            "hits": [
                {
                    "kind": "passages",
                    "id": 1,
                    "slug": None,
                    "label": "Esto puso adelante la naturaleza dual de la política exterior "
                    "soviética, que…",
                    "snippet": "Esto puso adelante la naturaleza dual de la política "
                    "exterior soviética, que cerca tanto el internacionalismo "
                    "proletario como la <mark>coexistencia</mark> "
                    "<mark>pacífica</mark>.",
                    "score": 1.612903,
                    "url": "/api/v1/passages/1",
                },
                {
                    "kind": "passages",
                    "id": 2,
                    "slug": None,
                    "label": 'Ambas políticas pueden ser perseguidas simultáneamente: "la '
                    "coexistencia pacífica no excluye, pero…",
                    "snippet": "Ambas políticas pueden ser perseguidas simultáneamente: "
                    "&quot;la <mark>coexistencia</mark> <mark>pacífica</mark> no "
                    "excluye, pero presupone la oposición determinada a la "
                    "agresión imperialista y apoyo a pueblos que defienden sus "
                    "ganancias revolucionarias o…",
                    "score": 1.388889,
                    "url": "/api/v1/passages/2",
                },
            ],
        },
    ],
}
