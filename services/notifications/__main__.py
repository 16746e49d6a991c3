from services.notifications.app import create_app
from shared.service import main

main("notifications", create_app)
