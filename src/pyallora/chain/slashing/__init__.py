"""The slashing module: downtime and double-sign punishment, jail and unjail."""
