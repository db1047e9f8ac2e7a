"""One APIRouter per lab, each a thin layer over ``neuralab.labs``."""
