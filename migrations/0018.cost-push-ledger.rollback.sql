DROP TABLE voluum_cost_pushes;
