SELECT 'inner';
.bogus
