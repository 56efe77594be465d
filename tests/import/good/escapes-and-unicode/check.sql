SELECT kind, class, ident, client FROM v_ops;
