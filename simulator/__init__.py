"""devid's device simulator: a fleet of virtual devices speaking devid/1 over MQTT."""
