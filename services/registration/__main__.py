from services.registration.app import create_app
from shared.service import main

main("registration", create_app)
