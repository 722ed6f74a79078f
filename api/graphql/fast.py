"""The fast path: answer a query from its compiled statements, without per-field completion.

graphql-core completes every field in Python (about 8–9 µs each here: ~22 ms for a 100-event
page with participants and claims). The compiled statements already return the response shape,
so for a valid query whose root fields we compile, `FastSchema.execute` runs them and shapes
the rows (`api/graphql/shaping.py`: selection order, each value checked against its type).
Parsing, validation, compiling and the shaping functions are cached per document. Anything else
— other operations, errors, introspection, rows that break the schema — takes the standard
path, which is also the reference the tests hold the fast path to.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    is_non_null_type,
)
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as HTTPOperation
from strawberry.types.unset import UNSET, UnsetType

from eventgraph.api.auth import bearer_in, identify_token
from eventgraph.api.errors import (
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    AnswerTooLarge,
    AuthError,
    MethodNotAllowed,
    PersistedQueryRefused,
    RequestRefused,
)
from eventgraph.api.graphiql import graphiql_page
from eventgraph.api.graphql.checking import DocumentChecks
from eventgraph.api.graphql.http import (
    GRAPHQL_RESPONSE_JSON,
    is_request_error,
    names_an_operation,
    read_operations,
    response_media_type,
)
from eventgraph.api.graphql.limits import (
    LIMITS_KEY,
    limits_of,
    operation_limits,
    run_field_async,
)
from eventgraph.api.graphql.persisted import PersistedQueries
from eventgraph.api.graphql.safety import StoredDataChecks, coded
from eventgraph.api.graphql.selection import Context, model_name, to_asked
from eventgraph.api.graphql.shaping import Nonconforming, Shape, shaper
from eventgraph.api.metrics import WEBSOCKETS, count_errors_in, operation_label
from eventgraph.api.request_facts import current_request
from eventgraph.graph.errors import QueryTimedOut, QueryTooLarge, Unavailable
from eventgraph.graph.tokens import Role
from eventgraph.graph.translate.plans import ROOT_FIELDS, RootPlan, plan_root


@dataclass(frozen=True)
class _Operation:
    """What the fast path needs from a document, worked out once per document and name."""

    definition: OperationDefinitionNode
    fields: tuple[tuple[str, tuple[FieldNode, ...]], ...]
    """The root fields by response key, in order (nodes sharing a key merge, as in the spec)."""
    fragments: dict[str, FragmentDefinitionNode]


@dataclass(frozen=True)
class _PlannedField:
    key: str
    name: str
    """The root field's name in the schema (the key may be an alias)."""
    nodes: tuple[FieldNode, ...]
    plan: RootPlan
    nullable: bool
    shape: Shape


class FastSchema(strawberry.Schema):
    """A strawberry schema whose `execute` takes the fast path when it can (and the app it
    serves has it on: `app.state.graphql_fast_path`, set by `create_app`)."""

    PLAN_CACHE_SIZE = 2048

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", StoredDataChecks)
        super().__init__(*args, **kwargs)
        self._plans: OrderedDict[bytes, tuple[_PlannedField, ...]] = OrderedDict()
        self._plans_lock = threading.Lock()
        self.checks = DocumentChecks(self._schema)
        """Parsed and validated documents, for both paths (`api/graphql/checking.py`)."""

    def _checked(self, query: str) -> DocumentNode | None:
        """The parsed document if it was checked and may run, else None (the standard path
        reports why). Never checks it here, on the event loop: `execute` did, off it."""
        checked = self.checks.cached(query)
        return checked.document if checked is not None and checked.runnable else None

    @lru_cache(maxsize=512)  # noqa: B019 (one schema per process; the cache is the point)
    def _operation(self, query: str, name: str | None) -> _Operation | None:
        """The operation to run if the fast path can answer it: a query whose root fields are
        all compiled ones, without directives on them."""
        document = self._checked(query)
        if document is None:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
            return None
        fields = chosen[0].selection_set.selections
        if not all(isinstance(f, FieldNode) and self._compiled(f.name.value) for f in fields):
            return None
        if any(getattr(f, "directives", None) for f in fields):
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        by_key: dict[str, list[FieldNode]] = {}
        for field in fields:
            assert isinstance(field, FieldNode)
            by_key.setdefault(field.alias.value if field.alias else field.name.value, []).append(
                field
            )
        grouped = tuple((key, tuple(nodes)) for key, nodes in by_key.items())
        return _Operation(chosen[0], grouped, fragments)

    def _compiled(self, name: str) -> bool:
        """Whether the compiler answers this root field (by its GraphQL name)."""
        query_type = self._schema.query_type
        definition = query_type.fields.get(name) if query_type is not None else None
        return definition is not None and model_name(definition, name) in ROOT_FIELDS

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Any = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        limits = None
        tried = None
        if isinstance(context_value, dict) and "request" in context_value:
            # One deadline and one answer budget for all root fields (`api/graphql/limits.py`);
            # an operation the lane tried and left here keeps the lane's (`api/graphql/lane.py`).
            tried = context_value["request"].scope.get(TRIED_IN_LANE)
            limits = tried or operation_limits(context_value["request"].app.state.settings)
            context_value[LIMITS_KEY] = limits
        if tried is not None:
            tried.recount()  # the lane ran the fast path already: not again
        elif (
            query and isinstance(context_value, dict) and limits is not None and _on(context_value)
        ):
            await self.checks.checked(query)  # off the event loop when new; then cached
            result = await self._fast(query, variable_values or {}, context_value, operation_name)
            if result is not None:
                return result
            if limits.refusal is not None:
                return self.refused(limits.refusal)
            limits.recount()
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if limits is not None and limits.refusal is not None:
            return self.refused(limits.refusal)  # no partial data
        return result

    @staticmethod
    def refused(refusal: AnswerTooLarge) -> ExecutionResult:
        """The answer of an operation whose answer went over its budget: that error alone."""
        return ExecutionResult(
            data=None, errors=[coded(GraphQLError(str(refusal), original_error=refusal))]
        )

    def _planned(
        self, query: str, variables: dict[str, Any], name: str | None
    ) -> tuple[_PlannedField, ...] | None:
        """The compiled root fields and their shaping functions, from the cache when this
        document was asked with these variables before. Compiling costs 0.1–0.3 ms (most of it
        walking the selection). Compiled with type tags: shaping resolves unions and interfaces
        by them, as the standard path does."""
        try:
            cache_key = hashlib.blake2b(
                orjson.dumps([query, name, variables], option=orjson.OPT_SORT_KEYS), digest_size=20
            ).digest()
        except TypeError:  # not JSON: cannot be cached, and the standard path says why
            return None
        with self._plans_lock:
            cached = self._plans.get(cache_key)
            if cached is not None:
                self._plans.move_to_end(cache_key)
                return cached
        if self._checked(query) is None:  # not checked (yet), or refused: never cached as such
            return None
        operation = self._operation(query, name)
        if operation is None:
            return None
        definitions = operation.definition.variable_definitions or ()
        coerced = get_variable_values(self._schema, definitions, variables)
        if isinstance(coerced, list):  # variable errors: the standard path reports them
            return None
        context = Context(self._schema, operation.fragments, coerced)
        query_type = self._schema.query_type
        assert query_type is not None
        planned = []
        try:
            for key, nodes in operation.fields:
                asked = to_asked(context, key, list(nodes), query_type)
                assert asked.selection is not None  # `_operation` took compiled fields only
                field_type = query_type.fields[asked.name].type
                planned.append(
                    _PlannedField(
                        key,
                        nodes[0].name.value,
                        nodes,
                        plan_root(asked.selection, tag=True),
                        not is_non_null_type(field_type),
                        shaper(self._schema, asked, field_type),
                    )
                )
        except Exception:  # refused arguments: the standard path reports them as it does
            return None
        plans = tuple(planned)
        with self._plans_lock:
            self._plans[cache_key] = plans
            if len(self._plans) > self.PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plans

    def planned(
        self, query: str, variables: dict[str, Any], name: str | None
    ) -> tuple[_PlannedField, ...] | None:
        """The plans of a document asked before with these variables (else None: the standard
        path checks and plans it): the lane's first step (`api/graphql/lane.py`)."""
        return self._planned(query, variables, name)

    async def answer_planned(
        self, plans: tuple[_PlannedField, ...], context: dict[str, Any]
    ) -> ExecutionResult | None:
        """The answer from `planned`'s plans, or None (see `_answer_planned`): the lane's
        second step; `context` holds the request and the operation's limits."""
        return await self._answer_planned(plans, context)

    async def _fast(
        self, query: str, variables: dict[str, Any], context: dict[str, Any], name: str | None
    ) -> ExecutionResult | None:
        """The answer, or None to leave the operation to the standard path."""
        plans = self._planned(query, variables, name)
        if plans is None:
            return None
        return await self._answer_planned(plans, context)

    async def _answer_planned(
        self, plans: tuple[_PlannedField, ...], context: dict[str, Any]
    ) -> ExecutionResult | None:
        """The answer, or None to leave the operation to the standard path. A field that
        Neo4j could not answer (away, or over the time limit) is answered here as the standard
        path would, rather than run twice; a row that breaks the schema is left to the standard
        path, which says where and propagates null as the spec does."""
        executor = context["request"].app.state.executor
        limits = limits_of(context)
        data: dict[str, Any] = {}
        errors: list[GraphQLError] = []
        null_root = False
        for field in plans:
            try:
                value = await run_field_async(limits, executor, field.plan, field.name)
            except AnswerTooLarge:
                return None  # `execute` answers the refusal
            except (Unavailable, QueryTimedOut, QueryTooLarge) as error:
                located = GraphQLError(
                    str(error), nodes=list(field.nodes), path=[field.key], original_error=error
                )
                errors.append(coded(located))
                null_root = null_root or not field.nullable  # then `data` is null, as in the spec
                data[field.key] = None
                continue
            except Exception:
                return None
            try:
                data[field.key] = field.shape(value)
            except Nonconforming:
                return None
        return ExecutionResult(data=None if null_root else data, errors=errors or None)


TRIED_IN_LANE = "eventgraph.tried_in_lane"
"""Where the lane (`api/graphql/lane.py`) leaves, in the ASGI scope, the limits of an operation
whose fast path it ran and then left to the standard path: `execute` answers it with them,
without running the fast path a second time."""


def _on(context: dict[str, Any]) -> bool:
    """Whether the app serving this request takes the fast path (on unless it was created
    without: `create_app(graphql_fast_path=False)`, the tests' way to ask the standard path)."""
    return bool(getattr(context["request"].app.state, "graphql_fast_path", True))


class FastRouter(GraphQLRouter[Any, Any]):
    """Strawberry's FastAPI router speaking the GraphQL-over-HTTP spec (`api/graphql/http.py`),
    serialising with orjson; every error gets a code; persisted queries (APQ) by hash
    (`api/graphql/persisted.py`). WebSockets go to strawberry; GraphiQL is our own page
    (`api/graphiql.py`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.persisted_queries = PersistedQueries()

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Strawberry's rule (a GET without `query` that accepts HTML), except that a GET with
        `extensions` (a persisted query's hash, no `query`) is an operation."""
        return super().should_render_graphql_ide(request) and not names_an_operation(
            request.query_params
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """Our own GraphiQL page (`api/graphiql.py`), its files served from this machine."""
        return graphiql_page(request.url.path)

    async def on_ws_connect(self, context: Any) -> UnsetType | dict[str, object] | None:
        """A WebSocket without an Authorization header authenticates in `connection_init`:
        `{"Authorization": "Bearer <token>"}`; refused with close code 4403 otherwise."""
        acknowledge: UnsetType = UNSET  # a plain `connection_ack`
        if not isinstance(context, dict) or context.get("caller") is not None:
            return acknowledge
        token = bearer_in(context.get("connection_params"))
        try:
            context["caller"] = await identify_token(context["request"], token, Role.READER)
        except AuthError as error:
            raise ConnectionRejectionError({"message": str(error)}) from None
        return acknowledge

    def encode_json(self, data: object) -> str:
        # Text, not bytes: the same encoder writes WebSocket frames, which clients read as text.
        return orjson.dumps(data).decode()

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if isinstance(request, WebSocket):
            WEBSOCKETS.inc()
            try:
                return await super().run(request, context, root_value)
            finally:
                WEBSOCKETS.dec()
        if self.graphql_ide and self.should_render_graphql_ide(self.request_adapter_class(request)):
            return await self.render_graphql_ide(request)
        media_type = response_media_type(request.headers.get("accept"))
        sub_response = await self.get_sub_response(request)
        facts = current_request()
        try:
            operations = await read_operations(request)
            if facts is not None:
                facts.operation = (
                    "(batch)"
                    if isinstance(operations, list)
                    else operation_label(operations.operation_name)
                )
            if isinstance(operations, list):
                body: Any = []
                for each in operations:
                    try:
                        answer = await self._answer(request, each, context, root_value, media_type)
                    except PersistedQueryRefused as refusal:  # that operation's answer only
                        answer = refusal.body(), refusal.status
                        count_errors_in(answer[0])
                    body.append(answer[0])
                status = 200
            else:
                body, status = await self._answer(
                    request, operations, context, root_value, media_type
                )
        except RequestRefused as refusal:
            refused = refusal.body()
            count_errors_in(refused)
            return Response(
                orjson.dumps(refused),
                status_code=refusal.status,
                media_type=media_type,
                headers=refusal.headers,
            )
        response = Response(
            orjson.dumps(body),
            status_code=sub_response.status_code or status,
            media_type=media_type,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    async def _answer(
        self,
        request: Request,
        operation: GraphQLRequestData,
        context: Any,
        root_value: Any,
        media_type: str,
    ) -> tuple[dict[str, Any], int]:
        """One operation's response body and HTTP status."""
        operation = self.persisted_queries.resolve(operation)
        get = request.method == "GET"
        allowed = {HTTPOperation.QUERY} if get else {HTTPOperation.QUERY, HTTPOperation.MUTATION}
        try:
            result = await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=root_value,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=operation.extensions,
            )
        except InvalidOperationTypeError as error:
            if get and error.operation_type is HTTPOperation.MUTATION:
                raise MethodNotAllowed(
                    "mutations are not allowed over GET: send them with POST", {"Allow": "POST"}
                ) from None
            raise RequestRefused(
                "subscriptions are served over WebSocket (graphql-transport-ws) only"
            ) from None
        except CannotGetOperationTypeError as error:
            result = ExecutionResult(data=None, errors=[GraphQLError(error.as_http_error_reason())])
        return await self.answer_of(request, result, media_type)

    async def answer_of(
        self, request: Request | None, result: ExecutionResult, media_type: str
    ) -> tuple[dict[str, Any], int]:
        """An executed operation's response body and HTTP status (400 for a request error when
        the client asked for `application/graphql-response+json`)."""
        body: dict[str, Any] = dict(await self.process_result(request, result))
        if media_type == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            body.pop("data", None)
            return body, 400
        return body, 200

    async def process_result(self, request: Any, result: ExecutionResult) -> Any:
        response: dict[str, Any] = dict(await super().process_result(request, result))
        for error in response.get("errors") or ():
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                syntax = str(error.get("message", "")).startswith("Syntax Error")
                extensions["code"] = GRAPHQL_PARSE_FAILED if syntax else GRAPHQL_VALIDATION_FAILED
        count_errors_in(response)
        return response
