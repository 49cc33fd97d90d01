-- A message that could not be read, kept with its error (it is deleted from the queue).
INSERT INTO live_event_failures (message_id, body, error) VALUES (:message_id, :body, :error);
