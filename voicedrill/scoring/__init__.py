"""The scorer: active-listening cues, pacing and vocal calm, from a scoring script.

(Work in progress; public API: load_script, score_turn, drill_score.)
"""
