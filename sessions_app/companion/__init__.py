"""The offline companion: a pipeline of small pure functions (see docs/companion.md).

safety → sentiment → cognitive-distortion detection → technique retrieval → reply
composition. `pipeline.respond()` runs it; providers decide who writes the reply.
"""
