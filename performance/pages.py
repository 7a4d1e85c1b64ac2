def police_data_context():
    return {}
