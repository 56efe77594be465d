SELECT extra FROM ops;
SELECT extra, misuse FROM dumps;
