SELECT waiter_id, recorded_target_id, target_id FROM waits;
