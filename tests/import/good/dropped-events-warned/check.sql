SELECT dropped_events, warning FROM run_summary;
