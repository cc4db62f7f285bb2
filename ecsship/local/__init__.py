"""The embedded local AWS: a moto server on 127.0.0.1 with a seeded account, fidelity fixes and a
rollout simulator. See docs/local.md.

Layout:
- client.py   state files, discovery, starting/stopping the server process (no moto/boto3: CLI start-up path)
- server.py   `python -m ecsship.local.server`: the background process
- backend.py  the WSGI application: moto plus the /_ecsship/ control endpoints, one lock, the clock
- seed.py     the seeded account (constants, secret values, the seeding calls)
- clock.py    the backend's clock (real with a speed factor, or manual for tests); runtime.py shares it
- fidelity/   where moto departs from AWS and ecsship depends on it, the fix (one module per service)
- simulator/  ECS tasks, target health, rolling / blue-green / canary / linear deployments and
              CodeDeploy deployments progressing over the clock

Nothing outside this package (and tests) may import moto, or know that the simulator exists.
"""
