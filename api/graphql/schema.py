"""The strawberry schema. For now it answers who it is; the graph types join it next."""

import strawberry

from graph import __version__


@strawberry.type
class Query:
    @strawberry.field(description="The eventgraph version serving this API.")
    def version(self) -> str:
        return __version__


schema = strawberry.Schema(query=Query)
