"""Worker processes for the shells (spec-free plumbing): pools that die with their parent,
the job a worker needs for an election, and the ballot box's own checks. The verifier's
chunked checks live with the verifier (`vecha.verify.parallel`)."""

from vecha.workers.ballot_box import BallotVerifier
from vecha.workers.jobs import Job, context_of, job_of
from vecha.workers.pool import Workers, default_workers, process_pool

__all__ = ["BallotVerifier", "Job", "Workers", "context_of", "default_workers", "job_of", "process_pool"]
