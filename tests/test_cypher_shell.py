"""`eventgraph cypher-shell`: Neo4j's shell, fetched once into var/, on the test Neo4j."""

from neo4j import Driver

from eventgraph.graph.cypher_shell import command_and_environment, shell_dir
from eventgraph.graph.settings import Settings
from tests.helpers import EVENTGRAPH


def test_answers_a_query_on_standard_input(clean_graph: Driver, settings: Settings) -> None:
    import subprocess

    clean_graph.execute_query("CREATE (:Actor {id: 'shell-test', name: 'Shell'})")
    result = subprocess.run(
        [str(EVENTGRAPH), "cypher-shell", "--format", "plain"],
        input="MATCH (a:Actor {id: 'shell-test'}) RETURN a.name AS name;\n",
        capture_output=True,
        text=True,
        timeout=600,  # the first run fetches cypher-shell from Maven Central
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["name", '"Shell"']
    assert (shell_dir(settings) / "lib").is_dir()


def test_the_password_is_never_on_the_command_line(settings: Settings) -> None:
    command, environment = command_and_environment(settings, ["--format", "plain"])
    password = settings.neo4j_password.get_secret_value()
    assert not any(password in part for part in command)
    assert environment["NEO4J_PASSWORD"] == password
    assert environment["NEO4J_ADDRESS"] == settings.bolt_uri
    assert command[-2:] == ["--format", "plain"]
