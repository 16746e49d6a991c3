from services.checkin.app import create_app
from shared.service import main

main("checkin", create_app)
