"""The compiler: what a request selects, to one Cypher statement per root field, to its answer.

    Selection (graph/projection.py)   the fields asked for, by the model's names, built by the API
      → plans.py                      the dispatch table: one planner per root field
        → arguments.py                arguments to filters, windows and pages
        → queries.py, relationships.py  one parameterised statement, its shapes from projection.py
        → executor (graph/executor.py)  runs it: one round trip
        → connection.py, plans.py     the record shaped into the field's value, by response key

It knows the model (`graph/ontology.py`, `graph/projection.py`) and Neo4j, never GraphQL: the
API layer turns GraphQL's selections, names and input objects into `Selection`s, and answers
`__typename` itself. Both GraphQL paths (the fast one and graphql-core's) call `plan_root` and
so give the same answer.
"""
