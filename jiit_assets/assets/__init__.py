"""Software-defined assets: what is stored in MongoDB and why. One module per source."""
