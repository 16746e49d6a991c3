from services.tickets.app import create_app
from shared.service import main

main("tickets", create_app)
