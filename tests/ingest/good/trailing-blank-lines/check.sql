SELECT count(*) FROM ops;
