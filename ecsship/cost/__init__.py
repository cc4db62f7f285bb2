"""What a service costs a month: a dated price table (prices.py), the service's shape read from the
desired model (shape.py), the estimate (estimate.py), what AWS observed (observed.py: log ingestion,
availability zones) and right-sizing from utilisation (rightsize.py). Pure except observed.py and
prices.refresh."""
