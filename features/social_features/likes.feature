@CSW-SOC-4
Feature: Likes cannot be farmed
  Each account gives at most the profile's daily like quota of likes a day,
  and one like per post. Liking faster than the profile's bot-like burst in a
  minute is treated as automated and throttled, whether an auto-clicker on
  the watch or a like-farming service behind a friend's account does it.
  Neither a new clock on the watch nor likes sent in parallel get round the
  quota. The profile's quota and burst are ceilings: a watch may refuse
  sooner, but must refuse the one past them. (That likes cannot be bought is
  checked under CSW-PAY-6.)

  Background:
    Given a watch bound to its guardian
    And a classmate "Amy" is the child's friend

  Scenario: The child cannot like past the daily quota
    Given "Amy" has posted more posts than the child may like in a day
    When the child likes "Amy"'s posts at a human pace until the watch refuses
    Then the watch accepted no more likes than the daily like quota before refusing
    When the child tries to like another of "Amy"'s posts a few seconds later
    Then the watch refuses

  Scenario: Setting the watch clock to tomorrow does not refill the quota
    Given "Amy" has posted more posts than the child may like in a day
    When the child likes "Amy"'s posts at a human pace until the watch refuses
    And the child sets the watch clock forward to tomorrow morning
    And the child tries to like another of "Amy"'s posts a few seconds later
    Then the watch refuses

  Scenario: Likes sent in parallel do not slip past the quota
    Given "Amy" has posted more posts than the child may like in a day
    When the child likes "Amy"'s posts to one short of the daily like quota at a human pace
    And 2 minutes pass
    And the child sends 6 likes on "Amy"'s posts at the same instant
    Then "Amy"'s posts show no more likes in all than the daily like quota

  Scenario: The child cannot like the same post twice
    Given "Amy" has posted
    When the child likes "Amy"'s post
    And the child tries to like it again
    Then the watch refuses
    And the post shows a single like

  Scenario: A friend cannot like the child's post twice
    Given the child has posted "My first drawing"
    When "Amy" likes the child's post
    And "Amy" tries to like it again
    Then the watch refuses
    And the post shows a single like

  Scenario: An auto-clicker on the watch is throttled
    Given "Amy" has posted more posts than the child may like in a day
    When the child likes "Amy"'s posts at one instant until the watch refuses
    Then the watch accepted no more likes than the profile's bot-like burst before refusing
    When 2 minutes pass
    And the child tries to like another of "Amy"'s posts a few seconds later
    Then the watch allows it

  Scenario: A like-farming service behind a friend's account is throttled
    Given the child has posted more posts than a bot may like in a minute
    When "Amy" likes the child's posts within a minute until the watch refuses
    Then the watch accepted no more likes than the profile's bot-like burst before refusing
