"""Render templates with real Jinja2, the way dbt does, for comparison with tform's engine.

Reads {"cases": [...]} as JSON on stdin and prints a JSON list with one result per case:
{"output": str, "logs": [[level, msg], ...]} or {"error": str, "logs": [...]}.

A case: {"template": str, "macros": [{"path", "source"}], "vars": {}, "env": {}, "target": {},
"this": {"database", "schema", "identifier"}, "config": {}, "context": {}, "is_incremental": bool}.

dbt's context functions are small stubs mirroring what tests/helpers/jinjaCompare.ts gives tform:
ref('x') prints "s"."x", source('a', 'b') prints "a"."b", var/env_var read the case's dicts,
config.get reads the case's config, return() ends a macro with a value (dbt's MacroReturn),
adapter.dispatch searches <target.type>__name then default__name among the case's macros and
then among DBT_MACROS below (tform's cross-database macros written as dbt writes them).
"""
import datetime
import hashlib
import json
import sys

import jinja2
import jinja2.runtime
import jinja2.sandbox


class MacroReturn(Exception):
    def __init__(self, value):
        super().__init__()
        self.value = value


_invoke = jinja2.runtime.Macro._invoke


def _invoke_catching_return(self, arguments, autoescape):
    try:
        return _invoke(self, arguments, autoescape)
    except MacroReturn as e:
        return e.value


jinja2.runtime.Macro._invoke = _invoke_catching_return


class CompilerError(Exception):
    pass


class Relation:
    def __init__(self, database, schema, identifier, text):
        self.database = database
        self.schema = schema
        self.identifier = identifier
        self.text = text

    @property
    def name(self):
        return self.identifier

    @property
    def table(self):
        return self.identifier

    def render(self):
        return self.text

    def __str__(self):
        return self.text


class Config:
    def __init__(self, resolved):
        self.resolved = resolved

    def __call__(self, *args, **kwargs):
        return ""

    def get(self, key, default=None):
        return self.resolved[key] if key in self.resolved else default

    def require(self, key):
        if key not in self.resolved:
            raise CompilerError("config '%s' is required but not set" % key)
        return self.resolved[key]


# tform's cross-database macros (packages/core/src/compile/jinja/crossdb.ts), written as dbt
# writes its own: a dispatching macro plus default__/duckdb__/postgres__ implementations.
DBT_MACROS = r"""
{%- macro any_value(expression) -%}{{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}{%- endmacro -%}
{%- macro default__any_value(expression) -%}any_value({{ expression }}){%- endmacro -%}
{%- macro duckdb__any_value(expression) -%}arbitrary({{ expression }}){%- endmacro -%}
{%- macro postgres__any_value(expression) -%}min({{ expression }}){%- endmacro -%}

{%- macro bool_or(expression) -%}{{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}{%- endmacro -%}
{%- macro default__bool_or(expression) -%}bool_or({{ expression }}){%- endmacro -%}

{%- macro cast_bool_to_text(field) -%}{{ adapter.dispatch('cast_bool_to_text', 'dbt')(field) }}{%- endmacro -%}
{%- macro default__cast_bool_to_text(field) -%}cast({{ field }} as {{ api.Column.translate_type('string') }}){%- endmacro -%}

{%- macro concat(fields) -%}{{ return(adapter.dispatch('concat', 'dbt')(fields)) }}{%- endmacro -%}
{%- macro default__concat(fields) -%}{{ fields|join(' || ') }}{%- endmacro -%}

{%- macro current_timestamp() -%}{{ adapter.dispatch('current_timestamp', 'dbt')() }}{%- endmacro -%}
{%- macro default__current_timestamp() -%}{{ exceptions.raise_not_implemented('current_timestamp macro not implemented for adapter ' + adapter.type()) }}{%- endmacro -%}
{%- macro duckdb__current_timestamp() -%}now(){%- endmacro -%}
{%- macro postgres__current_timestamp() -%}now(){%- endmacro -%}

{%- macro dateadd(datepart, interval, from_date_or_timestamp) -%}{{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}{%- endmacro -%}
{%- macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }}){%- endmacro -%}
{%- macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}{{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }})){%- endmacro -%}
{%- macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}{{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }})){%- endmacro -%}

{%- macro datediff(first_date, second_date, datepart) -%}{{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}{%- endmacro -%}
{%- macro default__datediff(first_date, second_date, datepart) -%}datediff({{ datepart }}, {{ first_date }}, {{ second_date }}){%- endmacro -%}
{%- macro _pg_datediff(first_date, second_date, datepart) -%}
{%- if datepart == 'year' -%}(date_part('year', ({{ second_date }})::date) - date_part('year', ({{ first_date }})::date))
{%- elif datepart == 'quarter' -%}({{ datediff(first_date, second_date, 'year') }} * 4 + date_part('quarter', ({{ second_date }})::date) - date_part('quarter', ({{ first_date }})::date))
{%- elif datepart == 'month' -%}({{ datediff(first_date, second_date, 'year') }} * 12 + date_part('month', ({{ second_date }})::date) - date_part('month', ({{ first_date }})::date))
{%- elif datepart == 'day' -%}(({{ second_date }})::date - ({{ first_date }})::date)
{%- elif datepart == 'week' -%}({{ datediff(first_date, second_date, 'day') }} / 7 + case when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp) then case when {{ first_date }} <= {{ second_date }} then 0 else -1 end else case when {{ first_date }} <= {{ second_date }} then 1 else 0 end end)
{%- elif datepart == 'hour' -%}({{ datediff(first_date, second_date, 'day') }} * 24 + date_part('hour', ({{ second_date }})::timestamp) - date_part('hour', ({{ first_date }})::timestamp))
{%- elif datepart == 'minute' -%}({{ datediff(first_date, second_date, 'hour') }} * 60 + date_part('minute', ({{ second_date }})::timestamp) - date_part('minute', ({{ first_date }})::timestamp))
{%- elif datepart == 'second' -%}({{ datediff(first_date, second_date, 'minute') }} * 60 + floor(date_part('second', ({{ second_date }})::timestamp)) - floor(date_part('second', ({{ first_date }})::timestamp)))
{%- elif datepart == 'millisecond' -%}({{ datediff(first_date, second_date, 'minute') }} * 60000 + floor(date_part('millisecond', ({{ second_date }})::timestamp)) - floor(date_part('millisecond', ({{ first_date }})::timestamp)))
{%- elif datepart == 'microsecond' -%}({{ datediff(first_date, second_date, 'minute') }} * 60000000 + floor(date_part('microsecond', ({{ second_date }})::timestamp)) - floor(date_part('microsecond', ({{ first_date }})::timestamp)))
{%- else -%}{{ exceptions.raise_compiler_error("Unsupported datepart for macro datediff in postgres: {!r}".format(datepart)) }}
{%- endif -%}
{%- endmacro -%}
{%- macro duckdb__datediff(first_date, second_date, datepart) -%}{{ _pg_datediff(first_date, second_date, datepart) }}{%- endmacro -%}
{%- macro postgres__datediff(first_date, second_date, datepart) -%}{{ _pg_datediff(first_date, second_date, datepart) }}{%- endmacro -%}

{%- macro date_trunc(datepart, date) -%}{{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}{%- endmacro -%}
{%- macro default__date_trunc(datepart, date) -%}date_trunc('{{ datepart }}', {{ date }}){%- endmacro -%}

{%- macro escape_single_quotes(expression) -%}{{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}{%- endmacro -%}
{%- macro default__escape_single_quotes(expression) -%}{{ expression | replace("'", "''") }}{%- endmacro -%}

{%- macro except() -%}{{ return(adapter.dispatch('except', 'dbt')()) }}{%- endmacro -%}
{%- macro default__except() -%}except{%- endmacro -%}
{%- macro intersect() -%}{{ return(adapter.dispatch('intersect', 'dbt')()) }}{%- endmacro -%}
{%- macro default__intersect() -%}intersect{%- endmacro -%}

{%- macro hash(field) -%}{{ return(adapter.dispatch('hash', 'dbt')(field)) }}{%- endmacro -%}
{%- macro default__hash(field) -%}md5(cast({{ field }} as {{ api.Column.translate_type('string') }})){%- endmacro -%}

{%- macro last_day(date, datepart) -%}{{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}{%- endmacro -%}
{%- macro default__last_day(date, datepart) -%}cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date){%- endmacro -%}
{%- macro _last_day_quarter(date, datepart) -%}
{%- if datepart == 'quarter' -%}cast({{ dbt.dateadd('day', '-1', dbt.dateadd('month', '3', dbt.date_trunc(datepart, date))) }} as date)
{%- else -%}{{ default__last_day(date, datepart) }}{%- endif -%}
{%- endmacro -%}
{%- macro duckdb__last_day(date, datepart) -%}{{ _last_day_quarter(date, datepart) }}{%- endmacro -%}
{%- macro postgres__last_day(date, datepart) -%}{{ _last_day_quarter(date, datepart) }}{%- endmacro -%}

{%- macro length(expression) -%}{{ return(adapter.dispatch('length', 'dbt')(expression)) }}{%- endmacro -%}
{%- macro default__length(expression) -%}length({{ expression }}){%- endmacro -%}

{%- macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}{{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}{%- endmacro -%}
{%- macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}array_to_string(array_slice(array_agg({{ measure }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}, 0, {{ limit_num }}), {{ delimiter_text }})
{%- else -%}listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endif -%}
{%- endmacro -%}
{%- macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}list_aggr((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], 'string_agg', {{ delimiter_text }})
{%- else -%}string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endif -%}
{%- endmacro -%}
{%- macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- if limit_num -%}array_to_string((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], {{ delimiter_text }})
{%- else -%}string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endif -%}
{%- endmacro -%}

{%- macro position(substring_text, string_text) -%}{{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}{%- endmacro -%}
{%- macro default__position(substring_text, string_text) -%}position({{ substring_text }} in {{ string_text }}){%- endmacro -%}

{%- macro replace(field, old_chars, new_chars) -%}{{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}{%- endmacro -%}
{%- macro default__replace(field, old_chars, new_chars) -%}replace({{ field }}, {{ old_chars }}, {{ new_chars }}){%- endmacro -%}

{%- macro right(string_text, length_expression) -%}{{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}{%- endmacro -%}
{%- macro default__right(string_text, length_expression) -%}right({{ string_text }}, {{ length_expression }}){%- endmacro -%}

{%- macro safe_cast(field, type) -%}{{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}{%- endmacro -%}
{%- macro default__safe_cast(field, type) -%}cast({{ field }} as {{ type }}){%- endmacro -%}

{%- macro split_part(string_text, delimiter_text, part_number) -%}{{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}{%- endmacro -%}
{%- macro default__split_part(string_text, delimiter_text, part_number) -%}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){%- endmacro -%}
{%- macro _split_part_negative(string_text, delimiter_text, part_number) -%}split_part({{ string_text }}, {{ delimiter_text }}, length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, '')) + 2 + {{ part_number }}){%- endmacro -%}
{%- macro postgres__split_part(string_text, delimiter_text, part_number) -%}
{%- if part_number >= 0 -%}{{ default__split_part(string_text, delimiter_text, part_number) }}{%- else -%}{{ _split_part_negative(string_text, delimiter_text, part_number) }}{%- endif -%}
{%- endmacro -%}
{%- macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
{%- if part_number >= 0 -%}coalesce(string_split({{ string_text }}, {{ delimiter_text }})[ {{ part_number }} ], ''){%- else -%}{{ _split_part_negative(string_text, delimiter_text, part_number) }}{%- endif -%}
{%- endmacro -%}

{%- macro string_literal(value) -%}{{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}{%- endmacro -%}
{%- macro default__string_literal(value) -%}'{{ value }}'{%- endmacro -%}

{%- macro type_bigint() -%}{{ return(adapter.dispatch('type_bigint', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_bigint() -%}{{ return(api.Column.translate_type('bigint')) }}{%- endmacro -%}
{%- macro type_boolean() -%}{{ return(adapter.dispatch('type_boolean', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_boolean() -%}{{ return(api.Column.translate_type('boolean')) }}{%- endmacro -%}
{%- macro type_float() -%}{{ return(adapter.dispatch('type_float', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_float() -%}{{ return(api.Column.translate_type('float')) }}{%- endmacro -%}
{%- macro type_int() -%}{{ return(adapter.dispatch('type_int', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_int() -%}{{ return(api.Column.translate_type('integer')) }}{%- endmacro -%}
{%- macro type_numeric() -%}{{ return(adapter.dispatch('type_numeric', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_numeric() -%}{{ return(api.Column.numeric_type('numeric', 28, 6)) }}{%- endmacro -%}
{%- macro type_string() -%}{{ return(adapter.dispatch('type_string', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_string() -%}{{ return(api.Column.translate_type('string')) }}{%- endmacro -%}
{%- macro type_timestamp() -%}{{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}{%- endmacro -%}
{%- macro default__type_timestamp() -%}{{ return(api.Column.translate_type('timestamp')) }}{%- endmacro -%}
"""

TYPE_LABELS = {"STRING": "TEXT", "TIMESTAMP": "TIMESTAMP", "FLOAT": "FLOAT", "INTEGER": "INT", "BOOLEAN": "BOOLEAN"}


class Column:
    @staticmethod
    def translate_type(dtype):
        return TYPE_LABELS.get(dtype.upper(), dtype)

    @staticmethod
    def numeric_type(dtype, precision, scale):
        if precision is None or scale is None:
            return dtype
        return "{}({},{})".format(dtype, precision, scale)


class Api:
    Column = Column


class Lazy:
    """A macro looked up when called: macros see names as they were when their module was
    made, so every macro name is registered (as one of these) before any module exists."""

    def __init__(self, registry, name):
        self._registry = registry
        self._name = name

    def __call__(self, *args, **kwargs):
        return self._registry[self._name](*args, **kwargs)


class Namespace:
    """dbt's `dbt.` namespace: attributes are the internal macros."""

    def __init__(self, registry):
        self._registry = registry

    def __getattr__(self, name):
        if name in self._registry:
            return self._registry[name]
        raise AttributeError(name)


class Adapter:
    def __init__(self, env, target, internal):
        self._env = env
        self._target = target
        self._internal = internal

    def type(self):
        return self._target.get("type", "default")

    def quote(self, identifier):
        q = "`" if self.type() == "bigquery" else '"'
        return q + str(identifier).replace(q, q + q) + q

    def dispatch(self, macro_name, macro_namespace=None, packages=None):
        tried = ["%s__%s" % (self.type(), macro_name), "default__%s" % macro_name]
        for name in tried:
            if name in self._env.globals:
                return self._env.globals[name]
        if macro_namespace in (None, "dbt"):
            for name in tried:
                if name in self._internal:
                    return self._internal[name]
        raise CompilerError(
            "In dispatch: No macro named '%s' found within namespace: '%s'"
            % (macro_name, macro_namespace if macro_namespace is not None else "the project")
        )


def macro_names(env, source):
    return [n.name for n in env.parse(source).find_all(jinja2.nodes.Macro) if not n.name.startswith("_")]


# DBT_MACROS is the same for every case: compile it and list its macros once.
_DBT = {}


def dbt_module(env):
    if not _DBT:
        _DBT["code"] = env.compile(DBT_MACROS)
        _DBT["names"] = macro_names(env, DBT_MACROS)
    template = env.template_class.from_code(env, _DBT["code"], env.make_globals(None))
    return template.module, _DBT["names"]


def make_env(case, logs):
    env = jinja2.sandbox.SandboxedEnvironment(
        extensions=["jinja2.ext.do"],
        autoescape=False,
        keep_trailing_newline=True,
    )
    target = case.get("target") or {"name": "dev", "type": "duckdb", "schema": "main"}
    vars_ = case.get("vars") or {}
    envvars = case.get("env") or {}

    def ref(*args, **kwargs):
        name = args[-1]
        return Relation(None, "s", name, '"s"."%s"' % name)

    def source(src, table):
        return Relation(None, src, table, '"%s"."%s"' % (src, table))

    def var(name, *args):
        if name in vars_:
            return vars_[name]
        if args:
            return args[0]
        raise CompilerError("required var '%s' is not set" % name)

    def env_var(name, *args):
        if name in envvars:
            return envvars[name]
        if args:
            return args[0]
        raise CompilerError("environment variable '%s' is not set and env_var() has no default" % name)

    def _return(value):
        raise MacroReturn(value)

    def log(msg, info=False):
        logs.append(["info" if info else "debug", str(msg)])
        return ""

    def _print(msg):
        logs.append(["info", str(msg)])
        return ""

    def raise_compiler_error(msg, node=None):
        raise CompilerError(msg)

    def raise_not_implemented(msg):
        raise CompilerError(msg)

    def warn(msg, node=None):
        logs.append(["warn", str(msg)])
        return ""

    def tojson(value, default=None, sort_keys=False):
        try:
            return json.dumps(value, sort_keys=sort_keys)
        except ValueError:
            return default

    def fromjson(string, default=None):
        try:
            return json.loads(string)
        except ValueError:
            return default

    this = case.get("this") or {"database": None, "schema": "main", "identifier": "m"}
    exceptions = {"raise_compiler_error": raise_compiler_error, "warn": warn, "raise_not_implemented": raise_not_implemented}
    env.globals.update(
        {
            "ref": ref,
            "source": source,
            "var": var,
            "env_var": env_var,
            "config": Config(case.get("config") or {}),
            "is_incremental": lambda: bool(case.get("is_incremental")),
            "target": target,
            "this": Relation(this.get("database"), this["schema"], this["identifier"], '"%s"."%s"' % (this["schema"], this["identifier"])),
            "return": _return,
            "log": log,
            "print": _print,
            "exceptions": exceptions,
            "raise_compiler_error": raise_compiler_error,
            "api": Api,
            "zip": lambda *a: list(zip(*a)),
            "tojson": tojson,
            "fromjson": fromjson,
            "local_md5": lambda s: hashlib.md5(str(s).encode("utf-8")).hexdigest(),
        }
    )
    internal = {}
    project = {}
    env.globals["adapter"] = Adapter(env, target, internal)
    env.globals["dbt"] = Namespace(internal)
    # dbt's macros by their bare names too (dateadd(), type_string(), ...); the project's macros
    # replace internal ones of the same name.
    if not _DBT:
        dbt_module(env)
    for name in _DBT["names"]:
        if "__" not in name:
            env.globals[name] = Lazy(internal, name)
    files = case.get("macros") or []
    for f in files:
        for name in macro_names(env, f["source"]):
            env.globals[name] = Lazy(project, name)
    module, names = dbt_module(env)
    for name in names:
        internal[name] = getattr(module, name)
    for f in files:
        module = env.from_string(f["source"]).module
        for name in macro_names(env, f["source"]):
            project[name] = getattr(module, name)
    return env


def render(case):
    logs = []
    try:
        env = make_env(case, logs)
        ctx = dict(case.get("context") or {})
        if case.get("run_started_at"):
            ctx["run_started_at"] = datetime.datetime.fromisoformat(case["run_started_at"].replace("Z", "+00:00"))
        out = env.from_string(case["template"]).render(**ctx)
        return {"output": out, "logs": logs}
    except Exception as e:  # noqa: BLE001 - report every failure to the comparing test
        return {"error": "%s: %s" % (type(e).__name__, e), "logs": logs}


def main():
    req = json.load(sys.stdin)
    print(json.dumps([render(c) for c in req["cases"]]))


if __name__ == "__main__":
    main()
