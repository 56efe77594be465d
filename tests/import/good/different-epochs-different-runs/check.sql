SELECT id, epoch_unix_nano, ops FROM runs;
