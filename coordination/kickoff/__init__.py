"""The joint kickoff meeting (联合启动会) and the signed collaboration commitment
(项目协同承诺书)."""
