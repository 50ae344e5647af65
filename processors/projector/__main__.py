from processors.projector.command import run_projector

run_projector()
