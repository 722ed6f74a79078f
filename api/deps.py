"""FastAPI dependencies: the process's settings and its one Neo4j driver."""

from typing import Annotated, cast

from fastapi import Depends, Request
from neo4j import Driver

from eventgraph.graph.settings import Settings


def get_driver(request: Request) -> Driver:
    """The driver opened in the app's lifespan."""
    return cast(Driver, request.app.state.driver)


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return cast(Settings, request.app.state.settings)


DriverDep = Annotated[Driver, Depends(get_driver)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
